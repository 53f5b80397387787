// A middleware that swaps context.env, to show that Pages does not pass it on: the function
// after it still sees its own env (why edgefuse/pages wraps each function instead).
export async function onRequest(context) {
  context.env = { swapped: true };
  return context.next();
}
