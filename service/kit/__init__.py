"""The request kit every package uses: app keys, the caller, problems, input, paging."""
