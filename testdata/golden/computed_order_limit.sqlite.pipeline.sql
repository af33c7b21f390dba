-- statement 1: branch 0, result columns [1 2 3 4]
SELECT "t0"."id" AS "c0", "t0"."name" AS "c1", "t0"."email" AS "c2", "t0"."jr_o0" AS "c3"
FROM (SELECT "t0"."id", "t0"."name", "t0"."email", COALESCE("t4"."v", 0) AS "jr_o0"
  FROM "users" AS "t0"
  LEFT JOIN (SELECT "t2"."user_id" AS "k0", COUNT(*) AS "v"
    FROM "posts" AS "t2"
    WHERE "t2"."published" = ?
    GROUP BY "t2"."user_id") AS "t4" ON "t4"."k0" = "t0"."id"
  ORDER BY "jr_o0" DESC, "t0"."id"
  LIMIT ?) AS "t0"
ORDER BY "t0"."jr_o0" DESC, "t0"."id"
-- arg 1: true
-- arg 2: 0x2
-- statement 2: branch 1, result columns [5 6 7 8 9]
WITH "jr_p" AS (SELECT "t0"."id", COALESCE("t4"."v", 0) AS "jr_o0"
    FROM "users" AS "t0"
    LEFT JOIN (SELECT "t2"."user_id" AS "k0", COUNT(*) AS "v"
      FROM "posts" AS "t2"
      WHERE "t2"."published" = ?
      GROUP BY "t2"."user_id") AS "t4" ON "t4"."k0" = "t0"."id"
    ORDER BY "jr_o0" DESC, "t0"."id"
    LIMIT ?)
SELECT "t1"."id" AS "c4", "t1"."user_id" AS "c5", "t1"."title" AS "c6", "t1"."published" AS "c7", CASE WHEN "t1"."id" IS NOT NULL THEN (SELECT COUNT(*)
  FROM "comments" AS "t3"
  WHERE "t3"."post_id" = "t1"."id") END AS "c8"
FROM "posts" AS "t1"
WHERE "t1"."user_id" IN (SELECT "jr_p"."id"
  FROM "jr_p")
ORDER BY CASE WHEN "t1"."id" IS NOT NULL THEN (SELECT COUNT(*)
  FROM "comments" AS "t3"
  WHERE "t3"."post_id" = "t1"."id") END DESC, "t1"."id"
-- arg 1: true
-- arg 2: 0x2
