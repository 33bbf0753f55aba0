"""Weekly trend tables, disclosure control, differential privacy and the privacy-budget ledger."""
