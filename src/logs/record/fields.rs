//! Field overrides (`--field user=metadata.customer`) and dotted-path lookups into a line's
//! JSON, shared by the normaliser and the scanner's `--by FIELD` groups.

use serde_json::Value;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldOverrides {
    pub user: Option<String>,
    pub feature: Option<String>,
    pub model: Option<String>,
    pub time: Option<String>,
    pub session: Option<String>,
    pub project: Option<String>,
    pub id: Option<String>,
    pub input: Option<String>,
    pub output: Option<String>,
    pub cached: Option<String>,
    pub cost: Option<String>,
}

impl FieldOverrides {
    /// The names `--field` accepts.
    pub const NAMES: [&'static str; 11] = [
        "user", "feature", "model", "time", "session", "project", "id", "input", "output",
        "cached", "cost",
    ];

    /// Set `name` (one of [`FieldOverrides::NAMES`]) to `path`.
    pub fn set(&mut self, name: &str, path: &str) -> Result<(), String> {
        let slot = match name {
            "user" => &mut self.user,
            "feature" => &mut self.feature,
            "model" => &mut self.model,
            "time" | "timestamp" => &mut self.time,
            "session" => &mut self.session,
            "project" => &mut self.project,
            "id" => &mut self.id,
            "input" => &mut self.input,
            "output" => &mut self.output,
            "cached" => &mut self.cached,
            "cost" => &mut self.cost,
            _ => {
                return Err(format!(
                    "unknown field '{name}' (expected one of: {})",
                    Self::NAMES.join(", ")
                ));
            }
        };
        if path.is_empty() {
            return Err(format!("empty path for field '{name}'"));
        }
        // Numbers are parsed, never printed; the other fields are shown as group keys.
        if !matches!(name, "input" | "output" | "cached" | "cost")
            && let Some(seg) = crate::logs::text_segment(path)
        {
            return Err(format!(
                "invalid --field {name}={path}: {}",
                crate::logs::refuse_text_path(path, seg)
            ));
        }
        *slot = Some(path.to_string());
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        *self == FieldOverrides::default()
    }
}

/// The value at a dotted path (`metadata.customer`; array indexes as numbers: `tags.0`).
pub fn lookup_path<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    let mut cur = v;
    for seg in path.split('.') {
        cur = match cur {
            Value::Object(m) => m.get(seg)?,
            Value::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// A JSON value as group text: strings as they are, numbers and booleans printed, others none.
pub fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}
