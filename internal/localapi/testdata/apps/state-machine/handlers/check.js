// Checks an order and adds its total; an order without items fails with InvalidOrder.
exports.handler = async (order) => {
  if (!Array.isArray(order.items) || order.items.length === 0) {
    const err = new Error(`order ${order.orderId} has no items`);
    err.name = 'InvalidOrder';
    throw err;
  }
  const total = order.items.reduce((sum, item) => sum + item.price * item.qty, 0);
  return { ...order, total };
};
