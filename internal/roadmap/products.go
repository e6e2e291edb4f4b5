package roadmap

// ProductStore persists products, product lines, users, roles and workflows.
type ProductStore interface {
}
