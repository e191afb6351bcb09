exports.handler = async () => 'from lib/deep';
