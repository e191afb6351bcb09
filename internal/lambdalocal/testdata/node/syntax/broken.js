exports.handler = async () => {
  return { unbalanced: ;
};
