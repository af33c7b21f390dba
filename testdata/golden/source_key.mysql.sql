SELECT 0 AS `jb`, ROW_NUMBER() OVER (ORDER BY `t0`.`id`, CASE WHEN EXISTS (SELECT 1
  FROM (SELECT 1) AS `jr_one`
  LEFT JOIN `invoices` AS `t1` ON `t1`.`user_email` = `t0`.`email`
  WHERE `t1`.`id` IS NULL) THEN NULL ELSE (SELECT MIN(`t1`.`id`)
  FROM `invoices` AS `t1`
  WHERE `t1`.`user_email` = `t0`.`email`) END) AS `jo`, `t0`.`id` AS `c0`, `t0`.`name` AS `c1`, `t0`.`email` AS `c2`, NULL AS `c3`, NULL AS `c4`, NULL AS `c5`
FROM `users` AS `t0`
UNION ALL
SELECT 1 AS `jb`, ROW_NUMBER() OVER (ORDER BY `t1`.`id`) AS `jo`, NULL AS `c0`, NULL AS `c1`, NULL AS `c2`, `t1`.`id` AS `c3`, `t1`.`user_email` AS `c4`, `t1`.`amount` AS `c5`
FROM `invoices` AS `t1`
WHERE `t1`.`user_email` IN (SELECT `t0`.`email`
  FROM `users` AS `t0`)
