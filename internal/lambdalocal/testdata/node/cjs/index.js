exports.handler = async () => 'from index';
