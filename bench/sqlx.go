package bench

import "context"

// sqlxJoin: sqlx Select of the flat JOIN into a slice of flat structs (by column name,
// reflection), then the same typed-key fold as hand-join.
func sqlxJoin(ctx context.Context, e *Env, w string) (any, error) {
	query, args := JoinSQL(w)
	switch w {
	case "W1", "W5":
		var rows []rowW1
		if err := e.SQLX.SelectContext(ctx, &rows, query, args...); err != nil {
			return nil, err
		}
		f := newFoldW1()
		for i := range rows {
			f.add(&rows[i])
		}
		return f.users, nil
	case "W2":
		var rows []rowW2
		if err := e.SQLX.SelectContext(ctx, &rows, query, args...); err != nil {
			return nil, err
		}
		posts := make([]Post, len(rows))
		for i := range rows {
			posts[i] = rows[i].post()
		}
		return posts, nil
	case "W3":
		var rows []rowW3
		if err := e.SQLX.SelectContext(ctx, &rows, query, args...); err != nil {
			return nil, err
		}
		f := newFoldW3()
		for i := range rows {
			f.add(&rows[i])
		}
		return f.users, nil
	case "W4":
		var rows []rowW4
		if err := e.SQLX.SelectContext(ctx, &rows, query, args...); err != nil {
			return nil, err
		}
		f := newFoldW4()
		for i := range rows {
			f.add(&rows[i])
		}
		return f.users, nil
	}
	return nil, unknown(w)
}
