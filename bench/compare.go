package bench

import (
	"fmt"
	"reflect"
	"sort"
)

// Normalize sorts what a workload leaves unordered: the roots when !ordered, and every
// included list by id. It sorts in place and returns v.
func Normalize(v any, ordered bool) any {
	switch x := v.(type) {
	case []User:
		if !ordered {
			sort.Slice(x, func(i, j int) bool { return x[i].ID < x[j].ID })
		}
		for i := range x {
			normUser(&x[i])
		}
	case []Post:
		if !ordered {
			sort.Slice(x, func(i, j int) bool { return x[i].ID < x[j].ID })
		}
		for i := range x {
			normPost(&x[i])
		}
	}
	return v
}

func normUser(u *User) {
	sort.Slice(u.Posts, func(i, j int) bool { return u.Posts[i].ID < u.Posts[j].ID })
	for i := range u.Posts {
		normPost(&u.Posts[i])
	}
}

func normPost(p *Post) {
	sort.Slice(p.Tags, func(i, j int) bool { return p.Tags[i].ID < p.Tags[j].ID })
	sort.Slice(p.Comments, func(i, j int) bool { return p.Comments[i].ID < p.Comments[j].ID })
}

// Diff describes the first difference between two workload results, or returns "".
func Diff(want, got any) string {
	if reflect.DeepEqual(want, got) {
		return ""
	}
	wv, gv := reflect.ValueOf(want), reflect.ValueOf(got)
	if wv.Type() != gv.Type() {
		return fmt.Sprintf("type %s, want %s", gv.Type(), wv.Type())
	}
	if wv.Kind() != reflect.Slice {
		return "values differ"
	}
	if wv.IsNil() != gv.IsNil() {
		return fmt.Sprintf("nil: got %v, want %v", gv.IsNil(), wv.IsNil())
	}
	if wv.Len() != gv.Len() {
		return fmt.Sprintf("%d roots, want %d", gv.Len(), wv.Len())
	}
	for i := 0; i < wv.Len(); i++ {
		a, b := wv.Index(i).Interface(), gv.Index(i).Interface()
		if !reflect.DeepEqual(a, b) {
			return fmt.Sprintf("root %d differs:\n got: %s\nwant: %s", i, clip(fmt.Sprintf("%+v", b)), clip(fmt.Sprintf("%+v", a)))
		}
	}
	return "values differ"
}

func clip(s string) string {
	if len(s) > 1500 {
		return s[:1500] + "..."
	}
	return s
}

// Counts are the sizes of a result: roots, posts, tags, comments (with an author), authors of
// posts.
type Counts struct{ Roots, Posts, Tags, Comments, Authors int }

// CountOf counts a workload result.
func CountOf(v any) Counts {
	var c Counts
	post := func(p *Post) {
		c.Tags += len(p.Tags)
		for _, cm := range p.Comments {
			if cm.Author != nil {
				c.Comments++
			}
		}
		if p.Author != nil {
			c.Authors++
		}
	}
	switch x := v.(type) {
	case []User:
		c.Roots = len(x)
		for i := range x {
			c.Posts += len(x[i].Posts)
			for j := range x[i].Posts {
				post(&x[i].Posts[j])
			}
		}
	case []Post:
		c.Roots = len(x)
		c.Posts = len(x)
		for i := range x {
			post(&x[i])
		}
	}
	return c
}
