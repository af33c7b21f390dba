SELECT "t0"."id" AS "c0", "t0"."name" AS "c1", "t0"."email" AS "c2", "t1"."id" AS "c3", "t1"."user_id" AS "c4", "t1"."title" AS "c5", "t1"."published" AS "c6"
FROM (SELECT "t0"."id", "t0"."name", "t0"."email"
  FROM "users" AS "t0"
  WHERE (("t0"."name" > ?) OR ("t0"."name" = ? AND "t0"."id" > ?))
  ORDER BY "t0"."name", "t0"."id"
  LIMIT ?) AS "t0"
LEFT JOIN "posts" AS "t1" ON "t1"."user_id" = "t0"."id"
ORDER BY "t0"."name", "t0"."id", "t1"."id"
-- arg 1: "alice"
-- arg 2: "alice"
-- arg 3: 1
-- arg 4: 0x1
