package store

import (
	"context"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// Roles are given per product. A role on a product line applies to the
// products directly under it, unless the user holds a role of its own in the
// product (which may be none, to hide that one product).

// effectiveRole is the SQL of a user's role in product p, given the joins
// "own" (role in p) and "line" (role in p's product line).
const effectiveRole = "COALESCE(own.role, line.role, 0)"

// roleJoins joins a user's own and product-line roles to products p; it takes
// the user ID twice.
const roleJoins = ` LEFT JOIN product_roles own ON own.product_id = p.id AND own.user_id = ?
 LEFT JOIN product_roles line ON line.product_id = p.parent_id AND line.user_id = ?`

// visibleProducts is a subquery of the IDs of the products a user may see;
// it takes the user ID twice.
const visibleProducts = "SELECT p.id FROM products p" + roleJoins + " WHERE " + effectiveRole + " <> 0"

// ProductRole returns a user's role in a product.
func (db *DB) ProductRole(ctx context.Context, userID, productID int64) (roadmap.Role, error) {
	var role int
	err := db.reader().queryRow(ctx, "SELECT "+effectiveRole+" FROM products p"+roleJoins+" WHERE p.id = ?", userID, userID, productID).Scan(&role)
	if isNoRows(err) {
		return roadmap.RoleNone, nil
	}
	if err != nil {
		return roadmap.RoleNone, db.wrap(err)
	}
	return roadmap.Role(role), nil
}

// setRole gives a user a role in a product, replacing any role it had there.
func (tx *Tx) setRole(ctx context.Context, userID, productID int64, role roadmap.Role) error {
	c := tx.conn()
	if _, err := c.exec(ctx, "DELETE FROM product_roles WHERE user_id = ? AND product_id = ?", userID, productID); err != nil {
		return err
	}
	_, err := c.exec(ctx, "INSERT INTO product_roles (user_id, product_id, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
		userID, productID, int(role), ms(tx.now), ms(tx.now))
	return err
}

// VisibleProductIDs returns the IDs of the products and product lines that a
// user may see, with one query.
func (db *DB) VisibleProductIDs(ctx context.Context, userID int64) ([]int64, error) {
	rows, err := db.reader().query(ctx, visibleProducts, userID, userID)
	if err != nil {
		return nil, db.wrap(err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, db.wrap(err)
		}
		ids = append(ids, id)
	}
	return ids, db.wrap(closeRows(rows))
}
