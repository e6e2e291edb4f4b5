package roadmap

// Role is a user's permission in a product, with Aha!'s numeric codes.
type Role int

// Roles, from most to least permitted. RoleNone gives no access: the
// product is invisible to the user.
const (
	RoleNone        Role = 0
	RoleOwner       Role = 20
	RoleContributor Role = 30
	RoleReviewer    Role = 40
	RoleViewer      Role = 50
)

// ParseRole reads a role name as the API takes it: product_owner,
// contributor, reviewer, viewer or none.
func ParseRole(name string) (Role, bool) {
	switch name {
	case "product_owner", "owner":
		return RoleOwner, true
	case "contributor":
		return RoleContributor, true
	case "reviewer":
		return RoleReviewer, true
	case "viewer":
		return RoleViewer, true
	case "none":
		return RoleNone, true
	}
	return RoleNone, false
}

// Description is the role's name as Aha! shows it: Owner, Contributor, ...
func (r Role) Description() string {
	switch r {
	case RoleOwner:
		return "Owner"
	case RoleContributor:
		return "Contributor"
	case RoleReviewer:
		return "Reviewer"
	case RoleViewer:
		return "Viewer"
	}
	return "None"
}

// Access is what a request needs of the caller in a product.
type Access int

// Accesses, each implying the ones before it.
const (
	AccessRead   Access = iota + 1 // see the product and its records
	AccessWrite                    // create, change and delete its records
	AccessManage                   // manage its users and settings
)

// Allows reports whether the role grants access a.
func (r Role) Allows(a Access) bool {
	switch a {
	case AccessRead:
		return r != RoleNone
	case AccessWrite:
		return r == RoleOwner || r == RoleContributor
	case AccessManage:
		return r == RoleOwner
	}
	return false
}

// Authorize checks that u may have access a in a product where it holds
// role. A user without any role gets ENOTFOUND, so that a product it may
// not see is never revealed; one that may see but not do gets EFORBIDDEN.
// The account administrator may do everything.
func Authorize(u *User, role Role, a Access) error {
	if u.Admin || role.Allows(a) {
		return nil
	}
	if !role.Allows(AccessRead) {
		return Errorf(ENOTFOUND, "Not found")
	}
	return Errorf(EFORBIDDEN, "Your role in this product (%s) does not allow this", role.Description())
}
