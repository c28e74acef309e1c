//! Light, dark or follow-the-system theme, remembered in a cookie so the server renders
//! the right one on the first byte (no flash), and switchable without JavaScript.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The colour theme of the interface.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Theme {
    /// Follow the operating system's preference.
    #[default]
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl Theme {
    /// Every theme, in the order the switcher shows them.
    pub const ALL: [Theme; 3] = [Theme::System, Theme::Light, Theme::Dark];

    /// The value used in the cookie, the form and the `data-theme` attribute.
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// Parses a cookie or form value; anything unknown is `None`.
    pub fn parse(value: &str) -> Option<Theme> {
        Theme::ALL.into_iter().find(|t| t.as_str() == value)
    }

    fn label(self) -> &'static str {
        match self {
            Theme::System => "System",
            Theme::Light => "Light",
            Theme::Dark => "Dark",
        }
    }
}

/// The name of the cookie that remembers the theme.
pub const THEME_COOKIE: &str = "revdesk_theme";

/// Remembers the chosen theme for a year. Not security-sensitive, but still a POST, so the
/// cross-origin request check in front of every server function applies to it.
#[server(endpoint = "theme")]
pub async fn set_theme(theme: String) -> Result<(), AppError> {
    let theme = Theme::parse(&theme)
        .ok_or_else(|| AppError::field("theme", "Choose system, light or dark."))?;
    let response = expect_context::<leptos_axum::ResponseOptions>();
    let cookie = format!(
        "{THEME_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly",
        theme.as_str()
    );
    let value = http::HeaderValue::from_str(&cookie).map_err(|_| AppError::Internal)?;
    response.append_header(http::header::SET_COOKIE, value);
    Ok(())
}

/// The theme the page was rendered with.
fn current_theme() -> Theme {
    if let Some(theme) = use_context::<Theme>() {
        return theme;
    }
    #[cfg(feature = "hydrate")]
    if let Some(theme) = document()
        .document_element()
        .and_then(|root| root.get_attribute("data-theme"))
        .and_then(|value| Theme::parse(&value))
    {
        return theme;
    }
    Theme::default()
}

/// Three buttons in a form: posts without JavaScript, applies at once when hydrated.
///
/// An island when the app is built with islands, an ordinary component under full
/// hydration (an `#[island]` does not hydrate inside a fully hydrated tree). It takes no
/// props: the server reads the theme from context, the browser from the document.
#[cfg_attr(feature = "islands", island)]
#[cfg_attr(not(feature = "islands"), component)]
pub fn ThemeSwitcher() -> impl IntoView {
    let action = ServerAction::<SetTheme>::new();
    let selected = RwSignal::new(current_theme());
    Effect::new(move |_| {
        let theme = selected.get();
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-theme", theme.as_str());
        }
    });
    let option = move |theme: Theme| {
        view! {
            <button
                type="submit"
                name="theme"
                value=theme.as_str()
                class="theme-option"
                aria-pressed=move || (selected.get() == theme).to_string()
                on:click=move |_| selected.set(theme)
            >
                {theme.label()}
            </button>
        }
    };
    view! {
        <ActionForm action=action attr:class="theme-switcher" attr:aria-label="Colour theme">
            {option(Theme::System)}
            {option(Theme::Light)}
            {option(Theme::Dark)}
        </ActionForm>
    }
}
