//! Okta's `filter` expressions, as far as the endpoints we serve take them: terms joined by
//! `or` (or all by `and`), each `field op "value"` with `eq`, `sw` or, on timestamps, `gt`,
//! `ge`, `lt`, `le`. Each endpoint names the fields it allows; anything else is refused with
//! Okta's 400, so a client that builds a wrong filter finds out here.

use serde_json::Value;

/// A parsed filter.
#[derive(Debug)]
pub(crate) struct Filter {
    terms: Vec<Term>,
    /// Joined by `and` (all must hold) rather than `or`.
    all: bool,
}

#[derive(Debug)]
struct Term {
    field: String,
    op: Op,
    value: String,
}

#[derive(Debug, Clone, Copy)]
enum Op {
    Eq,
    Sw,
    Gt,
    Ge,
    Lt,
    Le,
}

impl Filter {
    /// Parses `text`, allowing `fields` (dotted paths) and, on those in `timestamps`, the
    /// ordering operators.
    pub(crate) fn parse(text: &str, fields: &[&str], timestamps: &[&str]) -> Result<Self, String> {
        let text = text.trim();
        let (parts, all) = if text.contains(" and ") {
            if text.contains(" or ") {
                return Err("mixing and with or is not supported here".into());
            }
            (text.split(" and ").collect::<Vec<_>>(), true)
        } else {
            (text.split(" or ").collect(), false)
        };
        let terms = parts
            .into_iter()
            .map(|part| {
                let mut words = part.trim().splitn(3, ' ');
                let (Some(field), Some(op), Some(value)) =
                    (words.next(), words.next(), words.next())
                else {
                    return Err(format!("not a term: {part}"));
                };
                if !fields.contains(&field) {
                    return Err(format!("the field {field} cannot be filtered on"));
                }
                let op = match op.to_ascii_lowercase().as_str() {
                    "eq" => Op::Eq,
                    "sw" => Op::Sw,
                    "gt" => Op::Gt,
                    "ge" => Op::Ge,
                    "lt" => Op::Lt,
                    "le" => Op::Le,
                    other => return Err(format!("unknown operator {other}")),
                };
                if matches!(op, Op::Gt | Op::Ge | Op::Lt | Op::Le) && !timestamps.contains(&field) {
                    return Err(format!("{field} takes eq only"));
                }
                let value = value
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .ok_or_else(|| format!("the value of {field} must be quoted"))?;
                if timestamps.contains(&field)
                    && chrono::DateTime::parse_from_rfc3339(value).is_err()
                {
                    return Err(format!("{value} is not a timestamp"));
                }
                Ok(Term {
                    field: field.to_owned(),
                    op,
                    value: value.to_owned(),
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Self { terms, all })
    }

    /// Whether `object` passes.
    pub(crate) fn accepts(&self, object: &Value) -> bool {
        let holds = |term: &Term| {
            let found = term
                .field
                .split('.')
                .try_fold(object, |v, key| v.get(key))
                .and_then(Value::as_str);
            let Some(found) = found else {
                return false;
            };
            let ordered = || {
                let time = |t: &str| chrono::DateTime::parse_from_rfc3339(t).ok();
                time(found).zip(time(&term.value)).map(|(a, b)| a.cmp(&b))
            };
            use std::cmp::Ordering::*;
            match term.op {
                Op::Eq => found == term.value,
                Op::Sw => found.starts_with(&term.value),
                Op::Gt => ordered() == Some(Greater),
                Op::Ge => matches!(ordered(), Some(Greater | Equal)),
                Op::Lt => ordered() == Some(Less),
                Op::Le => matches!(ordered(), Some(Less | Equal)),
            }
        };
        if self.all {
            self.terms.iter().all(holds)
        } else {
            self.terms.iter().any(holds)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn terms_joined_by_or_and_timestamps_compared_as_times() {
        let filter = Filter::parse(
            r#"lastUpdated ge "2026-01-01T00:00:00.000Z" or lastMembershipUpdated gt "2026-02-01T00:00:00Z""#,
            &["lastUpdated", "lastMembershipUpdated"],
            &["lastUpdated", "lastMembershipUpdated"],
        )
        .unwrap();
        assert!(filter.accepts(&json!({ "lastUpdated": "2026-01-01T00:00:00.000Z" })));
        assert!(filter.accepts(&json!({ "lastUpdated": "2025-01-01T00:00:00.000Z", "lastMembershipUpdated": "2026-02-01T00:00:01.000Z" })));
        assert!(!filter.accepts(&json!({ "lastUpdated": "2025-12-31T23:59:59.999Z" })));
    }

    #[test]
    fn prefixes_and_refusals() {
        let filter = Filter::parse(
            r#"eventType sw "user.mfa." or eventType eq "a.b""#,
            &["eventType"],
            &[],
        )
        .unwrap();
        assert!(filter.accepts(&json!({ "eventType": "user.mfa.factor.activate" })));
        assert!(filter.accepts(&json!({ "eventType": "a.b" })));
        assert!(!filter.accepts(&json!({ "eventType": "a.bc" })));
        assert!(Filter::parse(r#"status gt "x""#, &["status"], &[]).is_err());
        assert!(Filter::parse(r#"profile.title eq "x""#, &["status"], &[]).is_err());
        assert!(
            Filter::parse(r#"lastUpdated ge 2026"#, &["lastUpdated"], &["lastUpdated"]).is_err()
        );
    }
}
