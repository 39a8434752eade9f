//! The small helper every decision about one case at one moment works with: the case, today's
//! date in Berlin, the service's rules, the deadline ids handed out so far, and the events
//! decided. Each deadline is then set or closed in one line (`p.due_after(kind, period)`).

use chrono::NaiveDate;

use super::deadlines::{self, DeadlineIds};
use super::decide::Ctx;
use crate::deadline::{Calendar, Period, berlin_date};
use crate::model::{Case, DeadlineRules};
use fallwerk_events::{DeadlineKind, EventKind};

pub(super) struct Plan<'a> {
    pub case: &'a Case,
    pub ctx: &'a Ctx<'a>,
    /// The day of the decision in Berlin (deadlines count in local days).
    pub today: NaiveDate,
    pub ids: DeadlineIds,
    events: Vec<EventKind>,
}

impl<'a> Plan<'a> {
    pub fn new(case: &'a Case, ctx: &'a Ctx<'a>) -> Self {
        Plan {
            case,
            ctx,
            today: berlin_date(ctx.now),
            ids: DeadlineIds::for_case(case),
            events: Vec::new(),
        }
    }

    /// The deadline rules of the case's service.
    pub fn rules(&self) -> &'a DeadlineRules {
        &self.ctx.service.rules
    }

    pub fn push(&mut self, event: EventKind) {
        self.events.push(event);
    }

    pub fn extend(&mut self, events: impl IntoIterator<Item = EventKind>) {
        self.events.extend(events);
    }

    /// The id of the message this decision sends (the event that sends it is the next one).
    pub fn message_id(&self) -> String {
        self.case.message_id(self.case.version + 1)
    }

    /// Closes the case's open deadlines of `kind`.
    pub fn close(&mut self, kind: DeadlineKind) {
        self.events.extend(deadlines::close(self.case, kind));
    }

    /// A deadline of `kind` that runs `period` from today in the case's calendar.
    pub fn due_after(&mut self, kind: DeadlineKind, period: Period) {
        self.due_after_in(kind, period, self.case.calendar());
    }

    /// The same in another calendar (a forwarded case counts in its new org unit's holidays).
    pub fn due_after_in(&mut self, kind: DeadlineKind, period: Period, calendar: Calendar) {
        let rules = self.rules();
        let event = deadlines::set(&mut self.ids, kind, self.today, period, calendar, rules);
        self.events.push(event);
    }

    /// A deadline of `kind` on a given day, with the basis caseworkers are shown; answers the
    /// new deadline's id.
    pub fn due_on(&mut self, kind: DeadlineKind, due_on: NaiveDate, basis: String) -> String {
        let rules = self.rules();
        let calendar = self.case.calendar();
        let event = deadlines::set_on(&mut self.ids, kind, due_on, basis, calendar, rules);
        let id = match &event {
            EventKind::DeadlineSet { deadline_id, .. } => deadline_id.clone(),
            _ => String::new(),
        };
        self.events.push(event);
        id
    }

    /// The events decided, in order.
    pub fn events(self) -> Vec<EventKind> {
        self.events
    }
}
