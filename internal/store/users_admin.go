package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// userDetailCols reads a user with its account settings. Administration
// rights left unset follow the admin flag, which is account administration.
const userDetailCols = userCols + `, u.first_name, u.last_name, u.enabled,
 COALESCE(u.administer_billing, u.admin), COALESCE(u.administer_configuration, u.admin)`

func scanUserDetail(sc interface{ Scan(...any) error }, extra ...any) (*roadmap.UserDetail, error) {
	var d roadmap.UserDetail
	var created, updated int64
	var first, last sql.NullString
	dest := append([]any{&d.ID, &d.Name, &d.Email, &d.Admin, &created, &updated,
		&first, &last, &d.Enabled, &d.AdminRoles.Billing, &d.AdminRoles.Configuration}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return nil, err
	}
	d.CreatedAt, d.UpdatedAt = fromMS(created), fromMS(updated)
	d.AdminRoles.Account = d.Admin
	d.FirstName, d.LastName = roadmap.SplitName(d.Name)
	if first.Valid {
		d.FirstName, d.LastName = first.String, last.String
	}
	d.ProductRoles = []roadmap.ProductRole{}
	return &d, nil
}

// visibleUsers is the condition that keeps users u that a user may see:
// itself, and users with a role in a product it may see or in the product
// line over one. It takes the user ID three times.
const visibleUsers = `(u.id = ? OR EXISTS (SELECT 1 FROM product_roles vr
 JOIN products vp ON vp.id = vr.product_id OR vp.parent_id = vr.product_id
 WHERE vr.user_id = u.id AND vr.role <> 0 AND vp.id IN (` + visibleProducts + `)))`

// Users returns a page of users, by ID, with their product roles, and the
// total number that match.
func (db *DB) Users(ctx context.Context, f roadmap.UserFilter) ([]*roadmap.UserDetail, int, error) {
	us, total, err := listUsers(ctx, db.reader(), f)
	return us, total, db.wrap(err)
}

func listUsers(ctx context.Context, c conn, f roadmap.UserFilter) ([]*roadmap.UserDetail, int, error) {
	var where []string
	var args []any
	if f.Email != "" {
		where, args = append(where, "lower(u.email) = lower(?)"), append(args, strings.TrimSpace(f.Email))
	}
	if f.VisibleTo != 0 {
		where, args = append(where, visibleUsers), append(args, f.VisibleTo, f.VisibleTo, f.VisibleTo)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	page := normalPage(f.Page)
	rows, err := c.query(ctx, "SELECT COUNT(*) OVER (), "+userDetailCols+" FROM users u"+cond+" ORDER BY u.id LIMIT ? OFFSET ?",
		append(args, page.PerPage, page.Offset())...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []*roadmap.UserDetail{}
	total := 0
	for rows.Next() {
		u, err := scanUserDetail(countedRow{rows, &total})
		if err != nil {
			return nil, 0, err
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	rows.Close()
	if len(out) == 0 && page.Offset() > 0 {
		if err := c.queryRow(ctx, "SELECT COUNT(*) FROM users u"+cond, args...).Scan(&total); err != nil {
			return nil, 0, err
		}
	}
	return out, total, loadProductRoles(ctx, c, out, f.VisibleTo)
}

// loadProductRoles fills the product roles of users with one query. visibleTo,
// when not 0, keeps the roles in products that user may see.
func loadProductRoles(ctx context.Context, c conn, us []*roadmap.UserDetail, visibleTo int64) error {
	if len(us) == 0 {
		return nil
	}
	byID := make(map[int64]*roadmap.UserDetail, len(us))
	ids := make([]int64, 0, len(us))
	for _, u := range us {
		byID[u.ID] = u
		ids = append(ids, u.ID)
	}
	q := "SELECT r.user_id, r.product_id, p.name, r.role FROM product_roles r JOIN products p ON p.id = r.product_id WHERE r.user_id IN (" + placeholders(len(ids)) + ")"
	args := int64Args(ids)
	if visibleTo != 0 {
		q += " AND r.product_id IN (" + visibleProducts + ")"
		args = append(args, visibleTo, visibleTo)
	}
	rows, err := c.query(ctx, q+" ORDER BY r.user_id, r.product_id", args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var uid int64
		var r roadmap.ProductRole
		var role int
		if err := rows.Scan(&uid, &r.ProductID, &r.ProductName, &role); err != nil {
			return err
		}
		r.Role = roadmap.Role(role)
		if u := byID[uid]; u != nil {
			u.ProductRoles = append(u.ProductRoles, r)
		}
	}
	return rows.Err()
}

// UserDetail returns a user with its product roles. visibleTo, when not 0,
// makes a user that this user may not see not found, and keeps the roles in
// products it may see.
func (db *DB) UserDetail(ctx context.Context, id int64, visibleTo int64) (*roadmap.UserDetail, error) {
	u, err := loadUserDetail(ctx, db.reader(), id, visibleTo)
	return u, db.wrap(err)
}

func loadUserDetail(ctx context.Context, c conn, id int64, visibleTo int64) (*roadmap.UserDetail, error) {
	q := "SELECT " + userDetailCols + " FROM users u WHERE u.id = ?"
	args := []any{id}
	if visibleTo != 0 {
		q += " AND " + visibleUsers
		args = append(args, visibleTo, visibleTo, visibleTo)
	}
	u, err := scanUserDetail(c.queryRow(ctx, q, args...))
	if err != nil {
		return nil, scanErr(err, "user", strconv.FormatInt(id, 10))
	}
	return u, loadProductRoles(ctx, c, []*roadmap.UserDetail{u}, visibleTo)
}

// UserProductRoles returns a page of the roles given to a user in products,
// by product ID, and their total number. visibleTo, when not 0, keeps the
// roles in products that user may see.
func (db *DB) UserProductRoles(ctx context.Context, userID, visibleTo int64, page roadmap.Page) ([]roadmap.ProductRole, int, error) {
	c := db.reader()
	cond := " WHERE r.user_id = ?"
	args := []any{userID}
	if visibleTo != 0 {
		cond += " AND r.product_id IN (" + visibleProducts + ")"
		args = append(args, visibleTo, visibleTo)
	}
	page = normalPage(page)
	rows, err := c.query(ctx, "SELECT COUNT(*) OVER (), r.product_id, p.name, r.role FROM product_roles r JOIN products p ON p.id = r.product_id"+cond+" ORDER BY r.product_id LIMIT ? OFFSET ?",
		append(args, page.PerPage, page.Offset())...)
	if err != nil {
		return nil, 0, db.wrap(err)
	}
	defer rows.Close()
	out := []roadmap.ProductRole{}
	total := 0
	for rows.Next() {
		var r roadmap.ProductRole
		var role int
		if err := rows.Scan(&total, &r.ProductID, &r.ProductName, &role); err != nil {
			return nil, 0, db.wrap(err)
		}
		r.Role = roadmap.Role(role)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, db.wrap(err)
	}
	rows.Close()
	if len(out) == 0 && page.Offset() > 0 {
		if err := c.queryRow(ctx, "SELECT COUNT(*) FROM product_roles r"+cond, args...).Scan(&total); err != nil {
			return nil, 0, db.wrap(err)
		}
	}
	return out, total, nil
}

// ProductUsers returns a page of the users with a role in a product, by
// user ID, and their total number: those given a role in the product (none
// included) and those with a role in its product line and none of their own
// in the product.
func (db *DB) ProductUsers(ctx context.Context, productID int64, page roadmap.Page) ([]roadmap.ProductUser, int, error) {
	c := db.reader()
	const from = ` FROM users u JOIN products p ON p.id = ?
 LEFT JOIN product_roles own ON own.product_id = p.id AND own.user_id = u.id
 LEFT JOIN product_roles line ON line.product_id = p.parent_id AND line.user_id = u.id
 WHERE own.user_id IS NOT NULL OR (line.user_id IS NOT NULL AND line.role <> 0)`
	page = normalPage(page)
	rows, err := c.query(ctx, "SELECT COUNT(*) OVER (), "+userCols+", "+effectiveRole+from+" ORDER BY u.id LIMIT ? OFFSET ?",
		productID, page.PerPage, page.Offset())
	if err != nil {
		return nil, 0, db.wrap(err)
	}
	defer rows.Close()
	out := []roadmap.ProductUser{}
	total := 0
	for rows.Next() {
		var pu roadmap.ProductUser
		var role, n int
		var created, updated int64
		u := &pu.User
		if err := rows.Scan(&n, &u.ID, &u.Name, &u.Email, &u.Admin, &created, &updated, &role); err != nil {
			return nil, 0, db.wrap(err)
		}
		total = n
		u.CreatedAt, u.UpdatedAt = fromMS(created), fromMS(updated)
		pu.Role = roadmap.Role(role)
		out = append(out, pu)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, db.wrap(err)
	}
	rows.Close()
	if len(out) == 0 && page.Offset() > 0 {
		if err := c.queryRow(ctx, "SELECT COUNT(*)"+from, productID).Scan(&total); err != nil {
			return nil, 0, db.wrap(err)
		}
	}
	return out, total, nil
}

// AddProductUser gives a user a role in a product, creating the user when
// no user has its email. An existing user keeps its name.
func (db *DB) AddProductUser(ctx context.Context, productID int64, in roadmap.NewProductUser) (*roadmap.ProductUser, error) {
	var out *roadmap.ProductUser
	err := db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		first, err := roadmap.ValidateName("first_name", in.FirstName)
		if err != nil {
			return err
		}
		last, err := roadmap.ValidateName("last_name", in.LastName)
		if err != nil {
			return err
		}
		email, err := roadmap.ValidateEmail("email", in.Email)
		if err != nil {
			return err
		}
		var exists int
		if err := c.queryRow(ctx, "SELECT COUNT(*) FROM products WHERE id = ?", productID).Scan(&exists); err != nil {
			return err
		}
		if exists == 0 {
			return notFound("product", strconv.FormatInt(productID, 10))
		}
		name := first + " " + last
		if len([]rune(name)) > roadmap.MaxNameLength {
			return roadmap.FieldErrorf("last_name", "the user's name is too long (maximum is %d characters)", roadmap.MaxNameLength)
		}
		const byEmail = "SELECT " + userCols + " FROM users u WHERE lower(u.email) = lower(?) ORDER BY u.id LIMIT 1"
		var u roadmap.User
		err = scanUser(c.queryRow(ctx, byEmail, email), &u)
		if isNoRows(err) {
			// A concurrent add of the same email wins the insert; this one
			// then finds its user.
			_, err = c.exec(ctx, `INSERT INTO users (id, name, email, admin, created_at, updated_at, first_name, last_name)
 VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING`,
				tx.db.ids.next(tx.now), name, email, false, ms(tx.now), ms(tx.now), first, last)
			if err != nil {
				return err
			}
			err = scanUser(c.queryRow(ctx, byEmail, email), &u)
		}
		if err != nil {
			return err
		}
		if err := tx.setRole(ctx, u.ID, productID, in.Role); err != nil {
			return err
		}
		out = &roadmap.ProductUser{User: u, Role: in.Role}
		return nil
	})
	return out, err
}

// UpdateUser changes a user. The account keeps at least one enabled account
// administrator; disabling a user revokes its API tokens.
func (db *DB) UpdateUser(ctx context.Context, id int64, in roadmap.UserInput) (*roadmap.UserDetail, error) {
	var out *roadmap.UserDetail
	err := db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		if in.ChangesAdministration() {
			if err := tx.db.dialect.lockAccount(ctx, tx.tx); err != nil {
				return err
			}
		}
		key := strconv.FormatInt(id, 10)
		u, err := scanUserDetail(c.queryRow(ctx, "SELECT "+userDetailCols+" FROM users u WHERE u.id = ?"+tx.db.dialect.forUpdate(), id))
		if err != nil {
			return scanErr(err, "user", key)
		}
		wasEnabled := u.Enabled
		names := []struct {
			field string
			in    roadmap.Opt[string]
			dst   *string
		}{{"first_name", in.FirstName, &u.FirstName}, {"last_name", in.LastName, &u.LastName}}
		for _, n := range names {
			if !n.in.Set {
				continue
			}
			if n.in.Null {
				return roadmap.FieldErrorf(n.field, "%s can't be blank", n.field)
			}
			if *n.dst, err = roadmap.ValidateName(n.field, n.in.V); err != nil {
				return err
			}
		}
		name := strings.TrimSpace(u.FirstName + " " + u.LastName)
		if len([]rune(name)) > roadmap.MaxNameLength {
			return roadmap.FieldErrorf("last_name", "the user's name is too long (maximum is %d characters)", roadmap.MaxNameLength)
		}
		if in.FirstName.Set || in.LastName.Set {
			u.Name = name
		}
		if in.Email.Set {
			if in.Email.Null {
				return roadmap.FieldErrorf("email", "email can't be blank")
			}
			if u.Email, err = roadmap.ValidateEmail("email", in.Email.V); err != nil {
				return err
			}
			var n int
			if err := c.queryRow(ctx, "SELECT COUNT(*) FROM users WHERE lower(email) = lower(?) AND id <> ?", u.Email, id).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return roadmap.FieldErrorf("email", "email %s is already taken by another user", u.Email)
			}
		}
		flags := []struct {
			field string
			in    roadmap.Opt[bool]
			dst   *bool
		}{
			{"enabled", in.Enabled, &u.Enabled},
			{"administrator", in.Administrator, nil},
			{"administer_account", in.AdministerAccount, &u.AdminRoles.Account},
			{"administer_billing", in.AdministerBilling, &u.AdminRoles.Billing},
			{"administer_configuration", in.AdministerConfiguration, &u.AdminRoles.Configuration},
		}
		for _, f := range flags {
			if !f.in.Set {
				continue
			}
			if f.in.Null {
				return roadmap.FieldErrorf(f.field, "%s must be true or false", f.field)
			}
			if f.dst == nil {
				u.AdminRoles = roadmap.AdminRoles{Account: f.in.V, Billing: f.in.V, Configuration: f.in.V}
				continue
			}
			*f.dst = f.in.V
		}
		u.Admin = u.AdminRoles.Account
		if in.ChangesAdministration() {
			var others int
			if err := c.queryRow(ctx, "SELECT COUNT(*) FROM users WHERE admin = ? AND enabled = ? AND id <> ?", true, true, id).Scan(&others); err != nil {
				return err
			}
			if others == 0 && !(u.Admin && u.Enabled) {
				return roadmap.Errorf(roadmap.EINVALID, "the account must keep an enabled account administrator: this user is the last one")
			}
		}
		_, err = c.exec(ctx, `UPDATE users SET name = ?, email = ?, first_name = ?, last_name = ?, enabled = ?, admin = ?,
 administer_billing = ?, administer_configuration = ?, updated_at = ? WHERE id = ?`,
			u.Name, u.Email, u.FirstName, u.LastName, u.Enabled, u.Admin,
			u.AdminRoles.Billing, u.AdminRoles.Configuration, ms(tx.now), id)
		if violatesUnique(err) {
			return roadmap.FieldErrorf("email", "email %s is already taken by another user", u.Email)
		}
		if err != nil {
			return err
		}
		if wasEnabled && !u.Enabled {
			if _, err := c.exec(ctx, "DELETE FROM api_tokens WHERE user_id = ?", id); err != nil {
				return err
			}
			if _, err := c.exec(ctx, "DELETE FROM web_sessions WHERE user_id = ?", id); err != nil {
				return err
			}
		}
		out, err = loadUserDetail(ctx, c, id, 0)
		return err
	})
	return out, err
}

// SetProductRole gives a user a role in a product or product line,
// replacing the one it had there.
func (db *DB) SetProductRole(ctx context.Context, userID, productID int64, role roadmap.Role) (*roadmap.ProductRole, error) {
	var out *roadmap.ProductRole
	err := db.inTx(ctx, func(tx *Tx) error {
		c := tx.conn()
		var n int
		if err := c.queryRow(ctx, "SELECT COUNT(*) FROM users WHERE id = ?", userID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return notFound("user", strconv.FormatInt(userID, 10))
		}
		var name string
		if err := c.queryRow(ctx, "SELECT name FROM products WHERE id = ?", productID).Scan(&name); err != nil {
			return scanErr(err, "product", strconv.FormatInt(productID, 10))
		}
		if err := tx.setRole(ctx, userID, productID, role); err != nil {
			return err
		}
		out = &roadmap.ProductRole{ProductID: productID, ProductName: name, Role: role}
		return nil
	})
	return out, err
}

// DeleteProductRole removes the role given to a user in a product; the user
// then holds the role of the product line, if any.
func (db *DB) DeleteProductRole(ctx context.Context, userID, productID int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.conn().exec(ctx, "DELETE FROM product_roles WHERE user_id = ? AND product_id = ?", userID, productID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return roadmap.Errorf(roadmap.ENOTFOUND, "user %d has no role of its own in product %d", userID, productID)
		}
		return nil
	})
}

// AssignedReleases returns the releases a user owns that are not shipped, by
// ID. visibleTo, when not 0, keeps those in products that user may see.
func (db *DB) AssignedReleases(ctx context.Context, userID, visibleTo int64) ([]roadmap.AssignedRecord, error) {
	q := "SELECT r.id, r.name, r.reference_num, " + statusCols + " FROM releases r JOIN workflow_statuses s ON s.id = r.workflow_status_id WHERE r.owner_id = ? AND s.complete = ?"
	args := []any{userID, false}
	if visibleTo != 0 {
		q += " AND r.product_id IN (" + visibleProducts + ")"
		args = append(args, visibleTo, visibleTo)
	}
	rows, err := db.reader().query(ctx, q+" ORDER BY r.id", args...)
	if err != nil {
		return nil, db.wrap(err)
	}
	defer rows.Close()
	out := []roadmap.AssignedRecord{}
	for rows.Next() {
		a := roadmap.AssignedRecord{RecordType: "Release"}
		s := &a.WorkflowStatus
		if err := rows.Scan(&a.ID, &a.Name, &a.ReferenceNum, &s.ID, &s.Name, &s.Position, &s.Complete, &s.Color); err != nil {
			return nil, db.wrap(err)
		}
		out = append(out, a)
	}
	return out, db.wrap(rows.Err())
}
