//! Okta's management OpenAPI document, read at test time from the shared folder beside the
//! workspace, and its response schemas as JSON Schema validators.
//!
//! OpenAPI 3.0 schemas are close to JSON Schema draft 7 (whose `$ref` also hides its
//! siblings), but not equal. [`translate`] turns the differences into draft 7: `nullable`,
//! `discriminator` and `writeOnly`. Everything else is kept: keywords draft 7 does not know
//! (`example`, `x-okta-*`) are ignored by the validator, and `readOnly` is an annotation there
//! too, which suits responses (read-only properties are exactly what responses carry).

use std::path::PathBuf;

use serde_json::{Map, Value, json};

/// The document, and its component schemas translated once.
pub struct Spec {
    document: Value,
    components: Value,
}

/// One GET operation: its path template as the spec writes it, and the operation object.
pub struct Operation<'s> {
    pub template: &'s str,
    operation: &'s Value,
}

impl Spec {
    /// Reads `../shared/okta/management-openapi.yaml` next to the workspace root.
    pub fn load() -> Spec {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/okta/management-openapi.yaml");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e}; the contract test reads Okta's OpenAPI document from the shared \
                 folder beside the workspace",
                path.display()
            )
        });
        let document: Value = serde_norway::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: not YAML: {e}", path.display()));
        let schemas = document["components"]["schemas"]
            .as_object()
            .expect("the document has component schemas");
        let translated: Map<String, Value> = schemas
            .iter()
            .map(|(name, schema)| (name.clone(), translate(schema)))
            .collect();
        Spec {
            components: json!({"schemas": translated}),
            document,
        }
    }

    /// The GET operation for `path` (`/api/v1/users/{id}/factors`): literal segments must be
    /// equal, and a `{…}` parameter matches a parameter whatever its name (`{userId}`).
    pub fn get(&self, path: &str) -> Option<Operation<'_>> {
        let ours: Vec<&str> = path.split('/').collect();
        self.document["paths"]
            .as_object()?
            .iter()
            .find(|(template, _)| {
                let theirs: Vec<&str> = template.split('/').collect();
                theirs.len() == ours.len()
                    && theirs
                        .iter()
                        .zip(&ours)
                        .all(|(t, o)| t == o || (is_parameter(t) && is_parameter(o)))
            })
            .and_then(|(template, item)| {
                Some(Operation {
                    template,
                    operation: item.get("get")?,
                })
            })
    }

    /// The JSON body schema of the operation's response with this status, following a
    /// `#/components/responses/…` reference.
    pub fn response_schema<'s>(&'s self, op: &Operation<'s>, status: &str) -> Option<&'s Value> {
        let mut response = op.operation["responses"].get(status)?;
        if let Some(reference) = response.get("$ref").and_then(Value::as_str) {
            let pointer = reference.strip_prefix('#')?;
            response = self.document.pointer(pointer)?;
        }
        response.pointer("/content/application~1json/schema")
    }

    /// A draft 7 validator for `schema`, its `#/components/…` references resolved in the
    /// translated components.
    pub fn validator(&self, schema: &Value) -> jsonschema::Validator {
        let root = json!({
            "allOf": [translate(schema)],
            "components": self.components,
        });
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft7)
            .should_validate_formats(true)
            .build(&root)
            .unwrap_or_else(|e| panic!("Okta's schema does not compile: {e}"))
    }
}

fn is_parameter(segment: &str) -> bool {
    segment.starts_with('{') && segment.ends_with('}')
}

/// One OpenAPI 3.0 schema object as a draft 7 schema.
fn translate(schema: &Value) -> Value {
    let Some(object) = schema.as_object() else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (keyword, value) in object {
        let value = match keyword.as_str() {
            // Not JSON Schema: `nullable` is applied below; a discriminator names the property
            // that picks a `oneOf` branch, which JSON Schema cannot express.
            "nullable" | "discriminator" => continue,
            "properties" => Value::Object(
                value
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(name, property)| (name.clone(), translate(property)))
                    .collect(),
            ),
            "items" | "additionalProperties" | "not" => translate(value),
            "allOf" | "anyOf" | "oneOf" => Value::Array(
                value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(translate)
                    .collect(),
            ),
            _ => value.clone(),
        };
        out.insert(keyword.clone(), value);
    }
    // Okta's branches under a discriminator overlap (a standard role assignment is also a
    // valid custom one), so "exactly one" fails where the discriminator would have chosen;
    // "at least one" is what is left to check without it.
    if object.contains_key("discriminator")
        && let Some(branches) = out.remove("oneOf")
    {
        out.insert("anyOf".into(), branches);
    }
    // `required` on a write-only property binds requests only (OpenAPI 3.0.3, Schema Object).
    if let (Some(Value::Array(required)), Some(properties)) = (
        out.get("required"),
        object.get("properties").and_then(Value::as_object),
    ) {
        let read: Vec<Value> = required
            .iter()
            .filter(|name| {
                let property = name.as_str().and_then(|n| properties.get(n));
                property.and_then(|p| p.get("writeOnly")) != Some(&Value::Bool(true))
            })
            .cloned()
            .collect();
        out.insert("required".into(), Value::Array(read));
    }
    if object.get("nullable") != Some(&Value::Bool(true)) {
        return Value::Object(out);
    }
    // `nullable: true` adds null to the allowed values: to the type (so errors inside the
    // object are still reported where they are) and to an enum. Without a type, as beside a
    // `$ref`, where OpenAPI 3.0 says siblings are ignored, it is taken as Okta means it.
    match out.get("type").and_then(Value::as_str) {
        Some(single) => {
            let single = single.to_owned();
            out.insert("type".into(), json!([single, "null"]));
            if let Some(Value::Array(values)) = out.get_mut("enum") {
                values.push(Value::Null);
            }
            Value::Object(out)
        }
        None => json!({"anyOf": [{"type": "null"}, out]}),
    }
}

#[test]
fn openapi_specifics_become_draft_7() {
    let nullable = translate(&json!({"type": "string", "nullable": true, "enum": ["A"]}));
    assert_eq!(
        nullable,
        json!({"type": ["string", "null"], "enum": ["A", null]})
    );
    let nullable_ref = translate(&json!({"$ref": "#/components/schemas/A", "nullable": true}));
    assert_eq!(
        nullable_ref,
        json!({"anyOf": [{"type": "null"}, {"$ref": "#/components/schemas/A"}]})
    );
    let chosen = translate(&json!({
        "oneOf": [{"$ref": "#/components/schemas/A"}],
        "discriminator": {"propertyName": "type"},
    }));
    assert_eq!(
        chosen,
        json!({"anyOf": [{"$ref": "#/components/schemas/A"}]})
    );
    let secret = translate(&json!({
        "type": "object",
        "required": ["id", "password"],
        "properties": {"id": {"type": "string"}, "password": {"type": "string", "writeOnly": true}},
    }));
    assert_eq!(secret["required"], json!(["id"]));
    // A property merely named like a keyword is left alone.
    let named = translate(&json!({"properties": {"nullable": {"type": "boolean"}}}));
    assert_eq!(
        named,
        json!({"properties": {"nullable": {"type": "boolean"}}})
    );
}
