SELECT `t0`.`id` AS `c0`, `t0`.`name` AS `c1`, `t0`.`email` AS `c2`, COALESCE(`t2`.`v`, 0) AS `c3`
FROM `users` AS `t0`
LEFT JOIN (SELECT `t1`.`user_id` AS `k0`, COUNT(*) AS `v`
  FROM `posts` AS `t1`
  GROUP BY `t1`.`user_id`) AS `t2` ON `t2`.`k0` = `t0`.`id`
ORDER BY COALESCE(`t2`.`v`, 0), `t0`.`id`
