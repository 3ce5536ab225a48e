"""Running a call, with no GUI: what a call listens to (`sources`), where it is recorded
(`records`) and the one runner every front end uses (`runner`): the overlay's worker thread,
`callassist listen`, `callassist analyze` and `callassist practice`."""
