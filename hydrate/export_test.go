package hydrate

// ParseTimeText exposes the reading of a timestamp's text forms to the tests.
var ParseTimeText = parseTimeText
