// Records the orders EventBridge sends it.
exports.handler = async (event) => {
  console.log(`audit order ${event.orderId}`);
};
