SELECT "t0"."id" AS "c0", "t0"."name" AS "c1", "t0"."email" AS "c2", "t1"."id" AS "c3", "t1"."user_id" AS "c4", "t1"."title" AS "c5", "t1"."published" AS "c6"
FROM (SELECT "t0"."id", "t0"."name", "t0"."email"
  FROM "users" AS "t0"
  ORDER BY "t0"."id"
  LIMIT ?) AS "t0"
LEFT JOIN (SELECT "t1"."id", "t1"."user_id", "t1"."title", "t1"."published", ROW_NUMBER() OVER (PARTITION BY "t1"."user_id" ORDER BY "t1"."id") AS "jr_rn"
  FROM "posts" AS "t1") AS "t1" ON "t1"."user_id" = "t0"."id" AND "t1"."jr_rn" > ? AND "t1"."jr_rn" <= ?
ORDER BY "t0"."id", "t1"."id"
-- arg 1: 0x2
-- arg 2: 0x1
-- arg 3: 0x2
