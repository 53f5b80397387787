// Every line edgefuse logs is one object, which Workers Logs indexes by field and
// `wrangler dev` prints whole: { message, event: "edgefuse.<event>", ...fields }.
export function logEvent(level, event, message, fields = {}) {
  console[level]({ message, event: `edgefuse.${event}`, ...fields });
}
