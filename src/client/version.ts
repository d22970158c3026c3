/** The upstream release whose API and behaviour this package reproduces; sent as `$lib_version` and User-Agent. */
export const LIBRARY_VERSION = '5.13.2'
