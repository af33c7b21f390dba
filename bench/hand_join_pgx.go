package bench

import (
	"context"
	"database/sql"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// hand-join-pgxnative: the hand-written flat JOIN (JoinSQL) read on pgx's native API. Rows are
// scanned into pgx's own typed nullable values (pgtype.Int8, pgtype.Text: binary int8 decoded
// in place, no sql.Scanner round trip through an interface) and handed to hand-join's fold,
// so the two differ only in the driver path.

func handJoinPgx(ctx context.Context, e *Env, w string) (any, error) {
	query, args := JoinSQL(w)
	if query == "" {
		return nil, unknown(w)
	}
	rows, err := e.Pool.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	switch w {
	case "W1", "W5":
		var p pgRowW1
		var r rowW1
		f := newFoldW1()
		_, err := pgx.ForEachRow(rows, p.dests(), func() error {
			p.to(&r)
			f.add(&r)
			return nil
		})
		return f.users, err
	case "W2":
		var p pgRowW2
		var r rowW2
		posts := []Post{}
		_, err := pgx.ForEachRow(rows, p.dests(), func() error {
			r.PID, r.PUserID, r.PTitle, r.PBody = p.PID, p.PUserID, p.PTitle, p.PBody
			r.AID, r.AName, r.AEmail = nullInt(p.AID), nullStr(p.AName), nullStr(p.AEmail)
			posts = append(posts, r.post())
			return nil
		})
		return posts, err
	case "W3":
		var p pgRowW1 // W3's columns are W1's first ten
		var r rowW1
		f := newFoldW3()
		_, err := pgx.ForEachRow(rows, p.dests()[:10], func() error {
			p.to(&r)
			f.add(&rowW3{UID: r.UID, UName: r.UName, UEmail: r.UEmail, PID: r.PID, PUserID: r.PUserID,
				PTitle: r.PTitle, PBody: r.PBody, TID: r.TID, TName: r.TName, TAddedBy: r.TAddedBy})
			return nil
		})
		return f.users, err
	case "W4":
		var p pgRowW1 // W4's columns are W1's first seven
		var r rowW1
		f := newFoldW4()
		_, err := pgx.ForEachRow(rows, p.dests()[:7], func() error {
			p.to(&r)
			f.add(&rowW4{UID: r.UID, UName: r.UName, UEmail: r.UEmail, PID: r.PID, PUserID: r.PUserID,
				PTitle: r.PTitle, PBody: r.PBody})
			return nil
		})
		return f.users, err
	}
	return nil, unknown(w)
}

// pgRowW1 is rowW1 in pgx's typed nullable values.
type pgRowW1 struct {
	UID                     int64
	UName                   string
	UEmail                  pgtype.Text
	PID, PUserID            pgtype.Int8
	PTitle, PBody           pgtype.Text
	TID                     pgtype.Int8
	TName, TAddedBy         pgtype.Text
	CID, CPostID, CAuthorID pgtype.Int8
	CBody                   pgtype.Text
	AID                     pgtype.Int8
	AName, AEmail           pgtype.Text
}

func (p *pgRowW1) dests() []any {
	return []any{&p.UID, &p.UName, &p.UEmail, &p.PID, &p.PUserID, &p.PTitle, &p.PBody,
		&p.TID, &p.TName, &p.TAddedBy, &p.CID, &p.CPostID, &p.CAuthorID, &p.CBody,
		&p.AID, &p.AName, &p.AEmail}
}

func (p *pgRowW1) to(r *rowW1) {
	r.UID, r.UName, r.UEmail = p.UID, p.UName, nullStr(p.UEmail)
	r.PID, r.PUserID, r.PTitle, r.PBody = nullInt(p.PID), nullInt(p.PUserID), nullStr(p.PTitle), nullStr(p.PBody)
	r.TID, r.TName, r.TAddedBy = nullInt(p.TID), nullStr(p.TName), nullStr(p.TAddedBy)
	r.CID, r.CPostID, r.CAuthorID, r.CBody = nullInt(p.CID), nullInt(p.CPostID), nullInt(p.CAuthorID), nullStr(p.CBody)
	r.AID, r.AName, r.AEmail = nullInt(p.AID), nullStr(p.AName), nullStr(p.AEmail)
}

// pgRowW2 is rowW2 in pgx's typed values.
type pgRowW2 struct {
	PID, PUserID  int64
	PTitle, PBody string
	AID           pgtype.Int8
	AName, AEmail pgtype.Text
}

func (p *pgRowW2) dests() []any {
	return []any{&p.PID, &p.PUserID, &p.PTitle, &p.PBody, &p.AID, &p.AName, &p.AEmail}
}

func nullInt(v pgtype.Int8) sql.NullInt64  { return sql.NullInt64{Int64: v.Int64, Valid: v.Valid} }
func nullStr(v pgtype.Text) sql.NullString { return sql.NullString{String: v.String, Valid: v.Valid} }
