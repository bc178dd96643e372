package store

// Item is one thing in stock.
type Item struct{ Name string }
