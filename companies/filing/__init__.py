"""An application as it is filed: the wizard, the rules of the legal form, names, activities,
articles, frozen versions, founders, signatures and the fee."""
