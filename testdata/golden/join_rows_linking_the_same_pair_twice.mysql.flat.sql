SELECT `t0`.`id` AS `c0`, `t0`.`name` AS `c1`, `t2`.`id` AS `c2`, `t2`.`name` AS `c3`, `t1`.`id` AS `c4`, `t1`.`customer_id` AS `c5`, `t1`.`product_id` AS `c6`, `t1`.`quantity` AS `c7`, `t1`.`id` AS `c8`
FROM `p_customers` AS `t0`
LEFT JOIN (`p_purchases` AS `t1` INNER JOIN `p_products` AS `t2` ON `t2`.`id` = `t1`.`product_id`) ON `t1`.`customer_id` = `t0`.`id`
ORDER BY `t0`.`id`, `t1`.`id`
