//! A record's declared columns, read along their JSON pointers without building the record.
//!
//! A Parquet part needs a handful of fields of each record ([`crate::columns`]), not the whole
//! record: parsing a System Log event into a `serde_json::Value` allocated each of its hundred
//! or so keys and strings, and cost more CPU than encoding and compressing it. [`Fields`] walks
//! the JSON once, descending only into the keys on some column's pointer, skipping the rest
//! without allocating, and borrowing strings that have no escapes from the record itself.
//!
//! What it finds is what `Value::pointer` finds on the parsed record: the last of duplicate keys
//! wins, `null` and values of other types are missing, a record that is not JSON has no fields.
//! The one difference is in what skipped parts must be to parse: serde_json checks them for
//! syntax, not for lone `\uD800` surrogates or nesting deeper than 128, so such a record (which
//! a page's parse already let through) now keeps its columns rather than losing all of them.

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::columns::{Column, Kind};

/// A JSON scalar as `serde_json::Value` holds it: integers apart from floats, non-negative
/// ones apart from negative ones.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar<'a> {
    Str(Cow<'a, str>),
    PosInt(u64),
    NegInt(i64),
    Float(f64),
    Bool(bool),
}

impl Scalar<'_> {
    /// As `Value::as_i64`: an integer that fits.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Scalar::PosInt(n) => i64::try_from(n).ok(),
            Scalar::NegInt(n) => Some(n),
            _ => None,
        }
    }

    /// As `Value::as_f64`: any number.
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Scalar::PosInt(n) => Some(n as f64),
            Scalar::NegInt(n) => Some(n as f64),
            Scalar::Float(n) => Some(n),
            _ => None,
        }
    }
}

/// What one column's pointer found in a record.
#[derive(Debug, Clone, PartialEq)]
pub enum Found<'a> {
    /// Nothing there, `null`, or an object or array where a scalar was declared.
    Missing,
    Scalar(Scalar<'a>),
    /// A list column's array: the strings found in its elements, in order (an element whose
    /// pointed-to value is not a string adds nothing).
    List(Vec<Cow<'a, str>>),
}

/// One step of the pointers: the slots whose value is here, the keys below.
#[derive(Debug, Default)]
struct Node {
    /// Object keys on some pointer, unescaped (`~1` is `/`, `~0` is `~`).
    children: Vec<(String, Node)>,
    /// Slots that take this value as a scalar.
    scalars: Vec<usize>,
    /// Slots that take this value as a list column's array.
    lists: Vec<usize>,
    /// For lists: how each element is read, into slots numbered by position in `lists`.
    each: Option<Box<Node>>,
    /// Every slot at or below this node (not those of `each`): emptied when a key repeats.
    below: Vec<usize>,
}

impl Node {
    /// The node at `pointer` below this one, made as needed.
    fn at(&mut self, pointer: &str) -> &mut Node {
        if pointer.is_empty() {
            return self;
        }
        let rest = pointer
            .strip_prefix('/')
            .unwrap_or_else(|| panic!("pointer {pointer:?} does not start with '/'"));
        let (token, rest) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        let key = token.replace("~1", "/").replace("~0", "~");
        // `Value::pointer` would index an array with such a token; the walk reads objects only.
        assert!(
            !key.bytes().all(|b| b.is_ascii_digit()),
            "pointer token {key:?} is an array index, which columns do not use"
        );
        let i = match self.children.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                self.children.push((key, Node::default()));
                self.children.len() - 1
            }
        };
        self.children[i].1.at(rest)
    }

    /// Fills in `below`, here and down.
    fn index(&mut self) -> Vec<usize> {
        let mut below: Vec<usize> = self.scalars.iter().chain(&self.lists).copied().collect();
        for (_, child) in &mut self.children {
            below.extend(child.index());
        }
        if let Some(each) = self.each.as_mut() {
            each.index();
        }
        self.below = below.clone();
        below
    }
}

/// The declared columns of one table, as a walk over a record.
#[derive(Debug)]
pub struct Fields {
    root: Node,
    width: usize,
}

impl Fields {
    /// The walk for `columns`; slot `i` of what [`Fields::read`] returns is `columns[i]`'s.
    pub fn new(columns: &[Column]) -> Self {
        let mut root = Node::default();
        for (i, column) in columns.iter().enumerate() {
            if column.kind == Kind::TextList {
                let (array, each) = column
                    .pointer
                    .split_once("/*")
                    .expect("list pointers step into an array");
                let node = root.at(array);
                node.lists.push(i);
                let item = node.lists.len() - 1;
                node.each
                    .get_or_insert_with(Box::default)
                    .at(each)
                    .scalars
                    .push(item);
            } else {
                root.at(column.pointer).scalars.push(i);
            }
        }
        root.index();
        Self {
            root,
            width: columns.len(),
        }
    }

    /// Each column's value in `raw`, in column order; all missing if `raw` is not JSON.
    pub fn read<'a>(&self, raw: &'a str) -> Vec<Found<'a>> {
        let mut slots = vec![Found::Missing; self.width];
        let mut de = serde_json::Deserializer::from_str(raw);
        let walk = Walk {
            node: &self.root,
            slots: &mut slots,
        };
        if walk.deserialize(&mut de).and_then(|()| de.end()).is_err() {
            slots.fill(Found::Missing);
        }
        slots
    }
}

/// Reading one value at `node` into `slots`.
struct Walk<'s, 'a> {
    node: &'s Node,
    slots: &'s mut [Found<'a>],
}

impl Walk<'_, '_> {
    fn scalar<'a>(node: &Node, slots: &mut [Found<'a>], value: impl Fn() -> Scalar<'a>) {
        for &slot in &node.scalars {
            slots[slot] = Found::Scalar(value());
        }
    }
}

impl<'de> DeserializeSeed<'de> for Walk<'_, 'de> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<(), E> {
        Self::scalar(self.node, self.slots, || Scalar::Bool(v));
        Ok(())
    }

    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        Self::scalar(self.node, self.slots, || Scalar::NegInt(v));
        Ok(())
    }

    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        Self::scalar(self.node, self.slots, || Scalar::PosInt(v));
        Ok(())
    }

    fn visit_f64<E>(self, v: f64) -> Result<(), E> {
        Self::scalar(self.node, self.slots, || Scalar::Float(v));
        Ok(())
    }

    /// A string without escapes, borrowed from the record.
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<(), E> {
        Self::scalar(self.node, self.slots, || Scalar::Str(Cow::Borrowed(v)));
        Ok(())
    }

    /// A string with escapes, unescaped into serde_json's scratch space: copied if wanted.
    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        Self::scalar(self.node, self.slots, || {
            Scalar::Str(Cow::Owned(v.to_owned()))
        });
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(child) = map.next_key_seed(Key(self.node))? {
            match child {
                Some(child) => {
                    // A repeated key replaces what the earlier one held, as in a parsed Value.
                    for &slot in &child.below {
                        self.slots[slot] = Found::Missing;
                    }
                    map.next_value_seed(Walk {
                        node: child,
                        slots: &mut *self.slots,
                    })?;
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Some(each) = self.node.each.as_deref() else {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(());
        };
        let mut lists: Vec<Vec<Cow<'de, str>>> = vec![Vec::new(); self.node.lists.len()];
        let mut item = vec![Found::Missing; lists.len()];
        while seq
            .next_element_seed(Walk {
                node: each,
                slots: &mut item,
            })?
            .is_some()
        {
            for (found, list) in item.iter_mut().zip(&mut lists) {
                if let Found::Scalar(Scalar::Str(s)) = std::mem::replace(found, Found::Missing) {
                    list.push(s);
                }
            }
        }
        for (&slot, list) in self.node.lists.iter().zip(lists) {
            self.slots[slot] = Found::List(list);
        }
        Ok(())
    }
}

/// An object key: the child node it names, if any (compared unescaped, never copied).
struct Key<'s>(&'s Node);

impl<'de, 's> DeserializeSeed<'de> for Key<'s> {
    type Value = Option<&'s Node>;

    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de, 's> Visitor<'de> for Key<'s> {
    type Value = Option<&'s Node>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(self.0.children.iter().find(|(k, _)| k == v).map(|(_, n)| n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::columns::{self, TABLES};
    use serde_json::Value;

    /// What the columns held when each record was parsed whole: the reference.
    fn by_value<'a>(columns: &[Column], raw: &'a str) -> Vec<Found<'a>> {
        let Ok(record) = serde_json::from_str::<Value>(raw) else {
            return vec![Found::Missing; columns.len()];
        };
        let scalar = |v: &Value| -> Option<Scalar<'a>> {
            Some(match v {
                Value::String(s) => Scalar::Str(Cow::Owned(s.clone())),
                Value::Bool(b) => Scalar::Bool(*b),
                Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                    (Some(u), _) => Scalar::PosInt(u),
                    (None, Some(i)) => Scalar::NegInt(i),
                    _ => Scalar::Float(n.as_f64()?),
                },
                _ => return None,
            })
        };
        columns
            .iter()
            .map(|c| {
                if c.kind == Kind::TextList {
                    let (array, each) = c.pointer.split_once("/*").unwrap();
                    match record.pointer(array).and_then(Value::as_array) {
                        Some(items) => Found::List(
                            items
                                .iter()
                                .filter_map(|item| item.pointer(each).and_then(Value::as_str))
                                .map(|s| Cow::Owned(s.to_owned()))
                                .collect(),
                        ),
                        None => Found::Missing,
                    }
                } else {
                    record
                        .pointer(c.pointer)
                        .and_then(scalar)
                        .map_or(Found::Missing, Found::Scalar)
                }
            })
            .collect()
    }

    fn check(columns: &[Column], raw: &str) {
        assert_eq!(
            Fields::new(columns).read(raw),
            by_value(columns, raw),
            "{raw}"
        );
    }

    const fn col(name: &'static str, pointer: &'static str, kind: Kind) -> Column {
        Column {
            name,
            pointer,
            kind,
        }
    }

    const ODD: &[Column] = &[
        col("id", "/id", Kind::Text),
        col("n", "/n", Kind::Integer),
        col("x", "/x", Kind::Double),
        col("flag", "/flag", Kind::Boolean),
        col("deep", "/a/b/c", Kind::Text),
        col("mid", "/a/b", Kind::Text),
        col("slash", "/a~1b/t~0", Kind::Text),
        col("tags", "/tags/*", Kind::TextList),
        col("names", "/items/*/name", Kind::TextList),
        col("kinds", "/items/*/kind/v", Kind::TextList),
        col("when", "/when", Kind::Timestamp),
    ];

    #[test]
    fn finds_what_a_parsed_value_finds() {
        for raw in [
            r#"{"id":"a","n":3,"x":1.5,"flag":true,"a":{"b":{"c":"deep"}},"tags":["t1","t2"]}"#,
            // Escapes in values and in keys, odd spacing.
            "{ \"\\u0069d\" : \"\\u00e9\\n\\\"q\\\"\", \"a~1b\":0, \"a/b\":{\"t~\":\"s\"} }",
            // Numbers: negative, beyond i64, floats, exponents; times as text or epoch millis.
            r#"{"n":-7,"x":-0,"when":"2026-01-02T03:04:05Z"}"#,
            r#"{"n":18446744073709551615,"x":1e3,"when":1764800000000}"#,
            r#"{"n":1.0,"x":123456789012345678901234567890,"when":-1}"#,
            // Nulls and other types where scalars or lists are declared.
            r#"{"id":null,"n":"3","x":true,"flag":1,"a":{"b":"mid"},"tags":"t","items":{}}"#,
            r#"{"id":{"x":"y"},"a":[{"b":{"c":"no"}}],"tags":[1,null,"ok",["no"],{"no":1}]}"#,
            // List elements: nested pointers, missing or non-string, non-object elements.
            r#"{"items":[{"name":"a","kind":{"v":"k1"}},{"kind":{"v":2}},"x",null,{"name":"b"}]}"#,
            r#"{"items":[],"tags":[]}"#,
            // Repeated keys: the last wins, at every depth.
            r#"{"id":"first","id":"second","a":{"b":{"c":"x"}},"a":{"z":1}}"#,
            r#"{"items":[{"name":"a","name":"b"}],"items":[{"kind":{"v":"k"}}]}"#,
            // Not a record.
            r#"[{"id":"a"}]"#,
            r#""id""#,
            "null",
            r#"{"id":"a"} trailing"#,
            r#"{"id":"a","#,
            "",
            // Fields no column names, of every shape, deep.
            r#"{"debug":{"a":[1,{"b":[true,null,"\u00e9"]}],"c":-1.5e-3},"id":"z"}"#,
        ] {
            check(ODD, raw);
        }
    }

    #[test]
    fn every_table_reads_records_as_a_parsed_value_would() {
        let event = r#"{"uuid":"u1","published":"2026-11-28T16:43:00.123Z","eventType":"user.session.start","severity":"INFO","displayMessage":"Sign \"in\"","actor":{"id":"00u1","type":"User","alternateId":"a@x.io","displayName":"A"},"client":{"ipAddress":"10.0.0.1","userAgent":{"rawUserAgent":"Mozilla/5.0"},"zone":"null","geographicalContext":{"city":"Paris","state":null,"country":"France","geolocation":{"lat":48.85,"lon":2}}},"outcome":{"result":"FAILURE","reason":"INVALID_CREDENTIALS"},"target":[{"id":"t1","type":"User"},{"id":"t2"}],"transaction":{"id":"tx"},"authenticationContext":{"externalSessionId":"s"},"debugContext":{"debugData":{"requestUri":"/x"}}}"#;
        let user = r#"{"id":"00u1","status":"ACTIVE","created":"2026-01-01T00:00:00.000Z","profile":{"login":"b\u00e9@x.io","email":"b@x.io","firstName":null},"type":{"id":"oty1"},"_embedded":{"stats":{"usersCount":3}},"actions":{"assignUserToGroups":{"groupIds":["g1","g2"]}}}"#;
        for table in TABLES {
            for raw in [event, user, "{}"] {
                check(table.columns, raw);
            }
        }
        assert!(columns::table("system_log").is_some());
    }

    #[test]
    fn strings_without_escapes_are_borrowed_from_the_record() {
        let fields = Fields::new(&ODD[..1]);
        let found = fields.read(r#"{"id":"plain"}"#);
        assert!(matches!(
            &found[0],
            Found::Scalar(Scalar::Str(Cow::Borrowed("plain")))
        ));
        let found = fields.read(r#"{"id":"tab\there"}"#);
        assert_eq!(
            found[0],
            Found::Scalar(Scalar::Str(Cow::Owned("tab\there".into())))
        );
    }

    #[test]
    #[should_panic(expected = "array index")]
    fn array_indexes_are_refused() {
        Fields::new(&[col("first", "/items/0/name", Kind::Text)]);
    }
}
