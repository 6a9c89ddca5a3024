"""Early warnings (SX-1, issue 16 part A): monitoring intake, the daily scan that sends warnings
from the pack's lead times, the enterprise's acknowledgement and answer, escalation to the
officer with the next rung proposed, and the enterprise's calendar as iCalendar."""
