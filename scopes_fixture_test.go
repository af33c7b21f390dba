package joinery_test

import (
	"testing"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/scope"
)

// The scopes fixture: polymorphic comments and tags, a soft-deleted comment, and purchases
// that link the same customer and product twice.

type PPost struct {
	ID           int64      `db:"id"`
	Title        string     `db:"title"`
	CommentCount int64      `joinery:"computed:comment_count" json:",omitempty"`
	TagCount     int64      `joinery:"computed:tag_count" json:",omitempty"`
	PendingCount int64      `joinery:"computed:pending_count" json:",omitempty"`
	Comments     []PComment `json:",omitempty"`
	Tags         []PTag     `json:",omitempty"`
	PendingTags  []PTag     `json:",omitempty"`
}

type PImage struct {
	ID       int64      `db:"id"`
	URL      string     `db:"url"`
	Comments []PComment `json:",omitempty"`
}

type PVideo struct {
	ID           int64  `db:"id"`
	Title        string `db:"title"`
	Tags         []PTag `json:",omitempty"`
	ArchivedTags []PTag
}

type PComment struct {
	ID            int64   `db:"id"`
	Commentable   string  `db:"commentable"`
	CommentableID int64   `db:"commentable_id"`
	Body          string  `db:"body"`
	DeletedAt     *int64  `db:"deleted_at" json:",omitempty"`
	Post          *PPost  `json:",omitempty"`
	Image         *PImage `json:",omitempty"`
}

type PTag struct {
	ID     int64  `db:"id"`
	Name   string `db:"name"`
	Status string `db:"status"`
}

type PItemTag struct {
	ID         int64  `db:"id"`
	TagID      int64  `db:"tag_id"`
	Taggable   string `db:"taggable"`
	TaggableID int64  `db:"taggable_id"`
}

type PCustomer struct {
	ID        int64      `db:"id"`
	Name      string     `db:"name"`
	Purchases int64      `joinery:"computed:purchases" json:",omitempty"`
	Products  []PProduct `json:",omitempty"`
}

type PProduct struct {
	ID       int64     `db:"id"`
	Name     string    `db:"name"`
	Purchase PPurchase `joinery:"through" json:",omitempty"`
}

type PPurchase struct {
	ID         int64 `db:"id"`
	CustomerID int64 `db:"customer_id"`
	ProductID  int64 `db:"product_id"`
	Quantity   int64 `db:"quantity"`
}

func scopesSchema(t testing.TB, opts ...include.SchemaOption) *include.Schema {
	t.Helper()
	s := include.NewSchema(opts...)
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.Define(PPost{}, "p_posts", include.Name("Post")))
	must(s.Define(PImage{}, "p_images", include.Name("Image")))
	must(s.Define(PVideo{}, "p_videos", include.Name("Video")))
	must(s.Define(PComment{}, "p_comments", include.Name("Comment"), include.DefaultScope(scope.Eq("deleted_at", nil))))
	must(s.Define(PTag{}, "p_tags", include.Name("Tag")))
	must(s.Define(PItemTag{}, "p_item_tags", include.Name("ItemTag")))
	must(s.Define(PCustomer{}, "p_customers", include.Name("Customer")))
	must(s.Define(PProduct{}, "p_products", include.Name("Product")))
	must(s.Define(PPurchase{}, "p_purchases", include.Name("Purchase")))

	// polymorphic 1:n, both owners
	must(s.HasMany("Post", "Comment", include.As("comments"), include.ForeignKey("commentable_id"), include.Polymorphic("commentable", "post")))
	must(s.HasMany("Image", "Comment", include.As("comments"), include.ForeignKey("commentable_id"), include.Polymorphic("commentable", "image")))
	// polymorphic belongsTo done right: the type test sits in the JOIN
	must(s.BelongsTo("Comment", "Post", include.As("post"), include.ForeignKey("commentable_id"), include.Polymorphic("commentable", "post")))
	must(s.BelongsTo("Comment", "Image", include.As("image"), include.ForeignKey("commentable_id"), include.Polymorphic("commentable", "image")))
	// polymorphic n:m through item_tags (own primary key, no unique pair)
	must(s.BelongsToMany("Post", "Tag", include.As("tags"), include.ThroughModel("ItemTag"), include.ForeignKey("taggable_id"),
		include.OtherKey("tag_id"), include.Polymorphic("taggable", "post"), include.NonUnique()))
	must(s.BelongsToMany("Post", "Tag", include.As("pendingTags"), include.ThroughModel("ItemTag"), include.ForeignKey("taggable_id"),
		include.OtherKey("tag_id"), include.Polymorphic("taggable", "post"), include.WithScope(scope.Eq("status", "pending"))))
	must(s.BelongsToMany("Video", "Tag", include.As("tags"), include.ThroughModel("ItemTag"), include.ForeignKey("taggable_id"),
		include.OtherKey("tag_id"), include.Polymorphic("taggable", "video")))
	// an association scope that matches nothing in the data
	must(s.BelongsToMany("Video", "Tag", include.As("archivedTags"), include.ThroughModel("ItemTag"), include.ForeignKey("taggable_id"),
		include.OtherKey("tag_id"), include.Polymorphic("taggable", "video"), include.WithScope(scope.Eq("status", "archived"))))
	// the same pair linked twice
	must(s.BelongsToMany("Customer", "Product", include.ThroughModel("Purchase"), include.NonUnique()))
	return s
}

var scopesDDL = []string{
	`CREATE TABLE p_posts (id BIGINT PRIMARY KEY, title VARCHAR(255) NOT NULL)`,
	`CREATE TABLE p_images (id BIGINT PRIMARY KEY, url VARCHAR(255) NOT NULL)`,
	`CREATE TABLE p_videos (id BIGINT PRIMARY KEY, title VARCHAR(255) NOT NULL)`,
	`CREATE TABLE p_comments (id BIGINT PRIMARY KEY, commentable VARCHAR(255) NOT NULL, commentable_id BIGINT NOT NULL, body VARCHAR(255) NOT NULL, deleted_at BIGINT NULL)`,
	`CREATE TABLE p_tags (id BIGINT PRIMARY KEY, name VARCHAR(255) NOT NULL, status VARCHAR(255) NOT NULL)`,
	`CREATE TABLE p_item_tags (id BIGINT PRIMARY KEY, tag_id BIGINT NOT NULL, taggable VARCHAR(255) NOT NULL, taggable_id BIGINT NOT NULL)`,
	`CREATE TABLE p_customers (id BIGINT PRIMARY KEY, name VARCHAR(255) NOT NULL)`,
	`CREATE TABLE p_products (id BIGINT PRIMARY KEY, name VARCHAR(255) NOT NULL)`,
	`CREATE TABLE p_purchases (id BIGINT PRIMARY KEY, customer_id BIGINT NOT NULL, product_id BIGINT NOT NULL, quantity BIGINT NOT NULL)`,
}

var scopesTables = []string{"p_posts", "p_images", "p_videos", "p_comments", "p_tags", "p_item_tags", "p_customers", "p_products", "p_purchases"}

var scopesData = []string{
	`INSERT INTO p_posts (id, title) VALUES (1, 'p1'), (2, 'p2')`,
	`INSERT INTO p_images (id, url) VALUES (1, 'img1'), (2, 'img2')`,
	`INSERT INTO p_videos (id, title) VALUES (1, 'v1'), (2, 'v2')`,
	`INSERT INTO p_comments (id, commentable, commentable_id, body, deleted_at) VALUES (1, 'post', 1, 'on post 1', NULL), (2, 'image', 1, 'on image 1', NULL), (3, 'post', 1, 'deleted', 5), (4, 'image', 2, 'on image 2', NULL), (5, 'post', 2, 'on post 2', NULL)`,
	`INSERT INTO p_tags (id, name, status) VALUES (1, 'go', 'approved'), (2, 'sql', 'pending'), (3, 'misc', 'pending')`,
	`INSERT INTO p_item_tags (id, tag_id, taggable, taggable_id) VALUES (1, 1, 'post', 1), (2, 2, 'post', 1), (3, 1, 'video', 1), (4, 3, 'video', 1), (5, 2, 'video', 2)`,
	`INSERT INTO p_customers (id, name) VALUES (1, 'ann'), (2, 'ben')`,
	`INSERT INTO p_products (id, name) VALUES (1, 'widget'), (2, 'gadget')`,
	`INSERT INTO p_purchases (id, customer_id, product_id, quantity) VALUES (1, 1, 1, 1), (2, 1, 1, 3), (3, 1, 2, 2)`,
}

const (
	c1    = `"ID":1,"Commentable":"post","CommentableID":1,"Body":"on post 1"`
	c2    = `"ID":2,"Commentable":"image","CommentableID":1,"Body":"on image 1"`
	c3    = `"ID":3,"Commentable":"post","CommentableID":1,"Body":"deleted","DeletedAt":5`
	c4    = `"ID":4,"Commentable":"image","CommentableID":2,"Body":"on image 2"`
	c5    = `"ID":5,"Commentable":"post","CommentableID":2,"Body":"on post 2"`
	tGo   = `{"ID":1,"Name":"go","Status":"approved"}`
	tSQL  = `{"ID":2,"Name":"sql","Status":"pending"}`
	tMisc = `{"ID":3,"Name":"misc","Status":"pending"}`
)

var scopesScenarios = []scenario{
	// computed values over polymorphic associations: the comments of the post type (not the
	// soft-deleted one: the default scope), the tags linked with the post type, the pending
	// ones (an association scope)
	{"computed_polymorphic", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[PPost](s, d).Compute(
			include.Count("comments").As("comment_count"),
			include.Count("tags").As("tag_count"),
			include.Count("pendingTags").As("pending_count"),
		).OrderBy("tag_count DESC", "id"))
	}, `[{"ID":1,"Title":"p1","CommentCount":1,"TagCount":2,"PendingCount":1},{"ID":2,"Title":"p2","CommentCount":1}]`},

	// a join model that links the same pair twice: every link counts
	{"computed_non_unique", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[PCustomer](s, d).Compute(include.Count("products").As("purchases")).OrderBy("purchases DESC", "id").Limit(5))
	}, `[{"ID":1,"Name":"ann","Purchases":3},{"ID":2,"Name":"ben"}]`},

	{"polymorphic_has_many_post", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[PPost](s, d).Include(include.New("comments").Order("id")).OrderBy("id"))
	}, `[{"ID":1,"Title":"p1","Comments":[{` + c1 + `}]},{"ID":2,"Title":"p2","Comments":[{` + c5 + `}]}]`},

	{"polymorphic_has_many_image", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[PImage](s, d).Include("comments").OrderBy("id", "comments.id"))
	}, `[{"ID":1,"URL":"img1","Comments":[{` + c2 + `}]},{"ID":2,"URL":"img2","Comments":[{` + c4 + `}]}]`},

	{"polymorphic_belongs_to_both_owners", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[PComment](s, d).Include("post", "image").OrderBy("id"))
	}, `[{` + c1 + `,"Post":{"ID":1,"Title":"p1"}},{` + c2 + `,"Image":{"ID":1,"URL":"img1"}},{` + c4 + `,"Image":{"ID":2,"URL":"img2"}},{` + c5 + `,"Post":{"ID":2,"Title":"p2"}}]`},

	{"default_scope_lifted_on_root", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[PComment](s, d).Unscoped().Where(sq.Eq{"commentable": "post"}).OrderBy("id"))
	}, `[{` + c1 + `},{` + c3 + `},{` + c5 + `}]`},

	{"default_scope_lifted_per_include", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[PPost](s, d).Include(include.New("comments").Unscoped()).OrderBy("id", "comments.id"))
	}, `[{"ID":1,"Title":"p1","Comments":[{` + c1 + `},{` + c3 + `}]},{"ID":2,"Title":"p2","Comments":[{` + c5 + `}]}]`},

	{"polymorphic_btm", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[PPost](s, d).Include("tags").OrderBy("id", "tags.id"))
	}, `[{"ID":1,"Title":"p1","Tags":[` + tGo + `,` + tSQL + `]},{"ID":2,"Title":"p2"}]`},

	{"polymorphic_btm_target_and_through_scope", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[PPost](s, d).Include("pendingTags").OrderBy("id"))
	}, `[{"ID":1,"Title":"p1","PendingTags":[` + tSQL + `]},{"ID":2,"Title":"p2"}]`},

	{"polymorphic_btm_other_owner", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[PVideo](s, d).Include("tags").OrderBy("id", "tags.id"))
	}, `[{"ID":1,"Title":"v1","Tags":[` + tGo + `,` + tMisc + `],"ArchivedTags":null},{"ID":2,"Title":"v2","Tags":[` + tSQL + `],"ArchivedTags":null}]`},

	{"optional_scoped_include_matching_nothing", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[PVideo](s, d).Include(include.New("tags").Where(sq.Eq{"name": "nope"})).OrderBy("id"))
	}, `[{"ID":1,"Title":"v1","ArchivedTags":null},{"ID":2,"Title":"v2","ArchivedTags":null}]`},

	{"optional_association_scope_matching_nothing", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[PVideo](s, d).Include("archivedTags", "tags").OrderBy("id", "tags.id"))
	}, `[{"ID":1,"Title":"v1","Tags":[` + tGo + `,` + tMisc + `],"ArchivedTags":[]},{"ID":2,"Title":"v2","Tags":[` + tSQL + `],"ArchivedTags":[]}]`},

	{"join_rows_linking_the_same_pair_twice", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[PCustomer](s, d).Include("products").OrderBy("id", "products.@through.id"))
	}, `[{"ID":1,"Name":"ann","Products":[` +
		`{"ID":1,"Name":"widget","Purchase":{"ID":1,"CustomerID":1,"ProductID":1,"Quantity":1}},` +
		`{"ID":1,"Name":"widget","Purchase":{"ID":2,"CustomerID":1,"ProductID":1,"Quantity":3}},` +
		`{"ID":2,"Name":"gadget","Purchase":{"ID":3,"CustomerID":1,"ProductID":2,"Quantity":2}}]},{"ID":2,"Name":"ben"}]`},
}
