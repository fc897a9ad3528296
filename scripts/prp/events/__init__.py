"""Crime events and disclosure control: reading the restricted event records,
counting them, suppressing small cells before anything is released, and
reading the released aggregates."""
