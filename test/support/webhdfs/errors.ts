// Hadoop RemoteException errors, answered as
//   {"RemoteException": {"exception": "FileNotFoundException", "javaClassName": "java.io.FileNotFoundException", "message": "..."}}
// with the status WebHDFS's ExceptionHandler maps them to: SecurityException/AccessControl/any other
// IOException → 403, FileNotFoundException → 404, IllegalArgument/UnsupportedOperation → 400, else 500.

export class RemoteException extends Error {
  readonly status: number;
  readonly exception: string;
  readonly javaClassName: string;

  constructor(status: number, javaClassName: string, message: string) {
    super(message);
    this.status = status;
    this.javaClassName = javaClassName;
    this.exception = javaClassName.slice(javaClassName.lastIndexOf('.') + 1);
  }

  toJSON(): { RemoteException: { exception: string; javaClassName: string; message: string } } {
    return { RemoteException: { exception: this.exception, javaClassName: this.javaClassName, message: this.message } };
  }
}

const FORBIDDEN = 403;

export const hdfsErrors = {
  fileNotFound: (message: string) => new RemoteException(404, 'java.io.FileNotFoundException', message),
  fileAlreadyExists: (message: string) => new RemoteException(FORBIDDEN, 'org.apache.hadoop.fs.FileAlreadyExistsException', message),
  accessControl: (message: string) => new RemoteException(FORBIDDEN, 'org.apache.hadoop.security.AccessControlException', message),
  parentNotDirectory: (message: string) => new RemoteException(FORBIDDEN, 'org.apache.hadoop.fs.ParentNotDirectoryException', message),
  pathIsNotEmptyDirectory: (path: string) =>
    new RemoteException(FORBIDDEN, 'org.apache.hadoop.fs.PathIsNotEmptyDirectoryException', `\`${path} is non empty': Directory is not empty`),
  alreadyBeingCreated: (message: string) =>
    new RemoteException(FORBIDDEN, 'org.apache.hadoop.hdfs.protocol.AlreadyBeingCreatedException', message),
  recoveryInProgress: (message: string) =>
    new RemoteException(FORBIDDEN, 'org.apache.hadoop.hdfs.protocol.RecoveryInProgressException', message),
  io: (message: string, status = FORBIDDEN) => new RemoteException(status, 'java.io.IOException', message),
  eof: (message: string) => new RemoteException(FORBIDDEN, 'java.io.EOFException', message),
  illegalArgument: (message: string) => new RemoteException(400, 'java.lang.IllegalArgumentException', message),
  invalidPath: (message: string) => new RemoteException(400, 'org.apache.hadoop.fs.InvalidPathException', message),
  unsupportedOperation: (message: string) => new RemoteException(400, 'java.lang.UnsupportedOperationException', message),
  badParam: (name: string, detail: string) =>
    new RemoteException(400, 'java.lang.IllegalArgumentException', `Invalid value for webhdfs parameter "${name}": ${detail}`),
  internal: (message: string) => new RemoteException(500, 'java.lang.RuntimeException', message),
};

/** Convert anything thrown to a RemoteException (unexpected errors become 500 RuntimeException). */
export function toRemoteException(e: unknown): RemoteException {
  if (e instanceof RemoteException) return e;
  return hdfsErrors.internal(e instanceof Error ? e.message : String(e));
}
