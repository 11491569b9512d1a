mod copy_button;
mod header_bar;
mod image_body_view;
mod index_status;
mod pipeline_strip;
pub mod pull_commands;
mod registry_card;
mod tag_order;
mod tag_table;
mod theme_toggle;

pub use copy_button::CopyButton;
pub use header_bar::HeaderBar;
pub use image_body_view::ImageBodyView;
pub use index_status::IndexStatus;
pub use pipeline_strip::PipelineStrip;
pub use registry_card::RegistryCard;
pub use tag_table::TagTable;
pub use theme_toggle::{ThemeToggle, APPLY_STORED_THEME};
