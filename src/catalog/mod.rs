//! TEMPORARY catalog stand-in (replaced by the real catalog branch).
use crate::tokenize::{Encoding, model::encoding_for_model};

#[derive(Debug)]
pub struct Model {
    pub id: String,
    pub provider: String,
    pub context_window: Option<u64>,
    pub max_output: Option<u64>,
}
impl Model {
    pub fn encoding(&self) -> Option<Encoding> {
        encoding_for_model(&self.id)
    }
}
#[derive(Debug)]
pub struct UnknownModel {
    pub name: String,
}
impl std::fmt::Display for UnknownModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown model '{}'", self.name)
    }
}
impl std::error::Error for UnknownModel {}
pub struct Catalog {
    models: Vec<Model>,
}
impl Catalog {
    pub fn embedded() -> &'static Catalog {
        static C: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
        C.get_or_init(|| Catalog {
            models: vec![
                Model {
                    id: "gpt-4o".into(),
                    provider: "openai".into(),
                    context_window: Some(128000),
                    max_output: Some(16384),
                },
                Model {
                    id: "gpt-4".into(),
                    provider: "openai".into(),
                    context_window: Some(8192),
                    max_output: Some(4096),
                },
                Model {
                    id: "claude-sonnet-4-5".into(),
                    provider: "anthropic".into(),
                    context_window: Some(200000),
                    max_output: Some(64000),
                },
            ],
        })
    }
    pub fn lookup(&self, name: &str) -> Result<&Model, UnknownModel> {
        self.models
            .iter()
            .find(|m| m.id == name)
            .ok_or(UnknownModel { name: name.into() })
    }
}
