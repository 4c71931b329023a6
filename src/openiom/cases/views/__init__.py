"""The cases pages, one module per sub-capability (docs/cases.md, Module layout). Every form page
goes through `editing.edit_page`; reads come from `selectors`, writes from `services`, and the
tables are shaped by `presenters`."""
