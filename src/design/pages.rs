//! `/design`: the design system's components with example content.

use crate::ui::{
    Badge, Button, ButtonLink, Card, EmptyState, Field, Flash, FlashKind, PageHeader, Table, Tone,
    Variant,
};
use leptos::prelude::*;
use leptos_meta::Title;

/// Shows each component of the design system once, with example content.
#[component]
pub fn DesignPage() -> impl IntoView {
    view! {
        <Title text="Design system" />
        <PageHeader
            title="Design system"
            description="The building blocks every page uses. The content below is example content."
        >
            <ButtonLink href="/" variant=Variant::Secondary>"Back to overview"</ButtonLink>
        </PageHeader>
        <div class="grid gap-6">
            <Card title="Buttons">
                <div class="flex flex-wrap gap-2">
                    <Button kind="button">"Primary"</Button>
                    <Button kind="button" variant=Variant::Secondary>"Secondary"</Button>
                    <Button kind="button" variant=Variant::Danger>"Delete"</Button>
                    <Button kind="button" variant=Variant::Ghost>"Ghost"</Button>
                </div>
            </Card>
            <Card title="Badges">
                <div class="flex flex-wrap gap-2">
                    <Badge>"New"</Badge>
                    <Badge tone=Tone::Info>"Contacted"</Badge>
                    <Badge tone=Tone::Success>"Converted"</Badge>
                    <Badge tone=Tone::Warning>"Follow-up due"</Badge>
                    <Badge tone=Tone::Danger>"Lost"</Badge>
                </div>
            </Card>
            <Card title="Flash messages">
                <div class="grid gap-2">
                    <Flash message="Lead saved." />
                    <Flash kind=FlashKind::Info message="The import is running: 4,200 of 10,000 rows." />
                    <Flash kind=FlashKind::Error message="The lead was changed by someone else. Reload to see their version." />
                </div>
            </Card>
            <Card title="Form fields">
                <form class="grid max-w-md gap-4" action="/design" method="get">
                    <Field name="company" label="Company" value="Northwind Traders" required=true autocomplete="organization" />
                    <Field name="email" label="Email" kind="email" value="not-an-email" error=Some("Enter an email address like name@example.com.".to_owned()) hint="We never share it." />
                    <div><Button>"Save"</Button></div>
                </form>
            </Card>
            <Card title="Table">
                <Table caption="Example leads">
                    <thead>
                        <tr>
                            <th scope="col">"Name"</th>
                            <th scope="col">"Company"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col" class="text-right">"Value"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <tr>
                            <td>"Ada Park"</td>
                            <td>"Lumen Analytics"</td>
                            <td><Badge tone=Tone::Info>"Qualified"</Badge></td>
                            <td class="text-right tabular-nums">"$12,400.00"</td>
                        </tr>
                        <tr>
                            <td>"Tomás Reyes"</td>
                            <td>"Harbor Freight Co."</td>
                            <td><Badge tone=Tone::Success>"Converted"</Badge></td>
                            <td class="text-right tabular-nums">"$48,000.00"</td>
                        </tr>
                    </tbody>
                </Table>
            </Card>
            <EmptyState title="No leads yet" description="Import a CSV or add your first lead to get started.">
                <Button kind="button">"Add a lead"</Button>
            </EmptyState>
        </div>
    }
}
