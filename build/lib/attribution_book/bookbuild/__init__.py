"""The book's build pipeline: notebook execution (:mod:`.execute`) and the page check in a
headless browser (:mod:`.check_pages`)."""
