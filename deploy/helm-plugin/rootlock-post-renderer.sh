#!/bin/sh
# Rendered manifests on stdin, fixed manifests on stdout. Also Helm 3's executable form:
#   helm install web ./chart --post-renderer ./rootlock-post-renderer.sh
# Helm 4 discards a plugin's stderr, so ROOTLOCK_SUMMARY=FILE keeps the fix summary there.
# ROOTLOCK names the rootlock command when it is not on PATH.
if [ -n "$ROOTLOCK_SUMMARY" ]; then
  exec "${ROOTLOCK:-rootlock}" fix --post-renderer "$@" 2>>"$ROOTLOCK_SUMMARY"
fi
exec "${ROOTLOCK:-rootlock}" fix --post-renderer "$@"
