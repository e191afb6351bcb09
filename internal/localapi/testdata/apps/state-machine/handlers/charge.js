// Charges an order. The first attempt for each order is declined (PaymentDeclined), so the
// state machine's Retry is what makes it succeed.
class PaymentDeclined extends Error {
  constructor(message) {
    super(message);
    this.name = 'PaymentDeclined';
  }
}

const attempts = new Map();

exports.handler = async (order) => {
  const n = (attempts.get(order.orderId) || 0) + 1;
  attempts.set(order.orderId, n);
  if (n === 1) {
    throw new PaymentDeclined(`card declined for ${order.orderId}, try again`);
  }
  return { orderId: order.orderId, charged: order.total, attempt: n };
};
