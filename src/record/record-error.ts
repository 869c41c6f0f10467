/** A recording failure, told to the recorder's owner (the session makes it a record_error event). */
export class RecordError extends Error {
  /**
   * @param run the run whose frames are affected
   * @param file its recording file (as it is named now), or null when none could be made
   */
  constructor(
    readonly run: string,
    readonly file: string | null,
    message: string,
  ) {
    super(message);
    this.name = 'RecordError';
  }
}
