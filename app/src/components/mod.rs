mod header_bar;
mod pipeline_strip;
mod registry_card;

pub use header_bar::HeaderBar;
pub use pipeline_strip::PipelineStrip;
pub use registry_card::RegistryCard;
