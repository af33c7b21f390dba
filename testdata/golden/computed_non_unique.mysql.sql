SELECT `t0`.`id` AS `c0`, `t0`.`name` AS `c1`, COALESCE(`t3`.`v`, 0) AS `c2`
FROM `p_customers` AS `t0`
LEFT JOIN (SELECT `t1`.`customer_id` AS `k0`, COUNT(*) AS `v`
  FROM (`p_purchases` AS `t1` INNER JOIN `p_products` AS `t2` ON `t2`.`id` = `t1`.`product_id`)
  GROUP BY `t1`.`customer_id`) AS `t3` ON `t3`.`k0` = `t0`.`id`
ORDER BY COALESCE(`t3`.`v`, 0) DESC, `t0`.`id`
LIMIT ?
-- arg 1: 0x5
