//! The one way fallwerk declares a closed set of wire names (action names, attachment sources):
//! a fieldless enum whose serde name, `Display` and `as_str` come from one literal per variant.

/// Declares a fieldless enum whose every variant has one wire name, used by serde, `Display`,
/// `as_str` and the list `ALL`.
macro_rules! names {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
                 serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
        $vis enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant,)*
        }

        impl $name {
            /// Every name, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The wire name (`snake_case`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }

            /// The name for a wire name, if there is one.
            pub fn parse(text: &str) -> Option<$name> {
                match text {
                    $($text => Some($name::$variant),)*
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use names;

#[cfg(test)]
mod tests {
    use crate::model::AttachmentSource;

    /// Stored cases carry these strings: each must stay readable, and read back the same.
    #[test]
    fn stored_attachment_sources_stay_readable() {
        let stored = [
            "submission",
            "reply",
            "representation",
            "form_data",
            "authority",
            "result",
        ];
        assert_eq!(AttachmentSource::ALL.len(), stored.len());
        for text in stored {
            let source: AttachmentSource =
                serde_json::from_value(serde_json::Value::String(text.into())).expect(text);
            assert_eq!(source.as_str(), text);
            assert_eq!(AttachmentSource::parse(text), Some(source));
        }
        assert!(
            serde_json::from_value::<AttachmentSource>(serde_json::Value::String(
                "Submission".into()
            ))
            .is_err()
        );
    }
}
