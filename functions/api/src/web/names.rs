//! People on the pages by name ("Family, Given" from the user directory) instead of account ids:
//! assignees, who did what in the history, who ticked a checklist item, who wrote a message.

use std::collections::HashMap;

use fallwerk_core::app::App;

/// Names for a page, looked up once per page for all the ids it shows.
#[derive(Debug, Default, Clone)]
pub struct Names(HashMap<String, String>);

impl Names {
    /// Looks the ids up; a directory that cannot be read leaves the ids as they are (the page
    /// is still useful, and the failure is logged).
    pub async fn of<'a>(app: &App, ids: impl IntoIterator<Item = &'a str>) -> Names {
        match app.people_names(ids).await {
            Ok(map) => Names(map),
            Err(e) => {
                tracing::warn!(error = %e, "names of people could not be read");
                Names::default()
            }
        }
    }

    /// The person's name, or the account id when the directory does not know it.
    pub fn of_id(&self, id: &str) -> String {
        self.0.get(id).cloned().unwrap_or_else(|| id.to_string())
    }
}
