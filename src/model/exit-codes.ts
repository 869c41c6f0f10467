/** Process exit codes (documented in man/sentrycam.1). */
export const EXIT_OK = 0;
/** A runtime failure: unreadable file, socket error. */
export const EXIT_ERROR = 1;
/** Bad command line or option value. */
export const EXIT_USAGE = 2;
/** --exit-on-alert: an alert of at least the given severity fired. */
export const EXIT_ALERT = 3;
