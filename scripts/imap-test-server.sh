#!/usr/bin/env bash
# A throwaway IMAP server for the tests of the reply watcher (#18): Debian's Dovecot with
# its own configuration, one user (testuser / testpass) and a Maildir, all under DIR,
# listening on 127.0.0.1:PORT without TLS. Runs in the foreground until killed.
#   scripts/imap-test-server.sh DIR PORT
set -euo pipefail
dir=$1 port=$2
rm -rf "$dir"
mkdir -p "$dir/mail/testuser"/{cur,new,tmp} "$dir/run"
dir=$(cd "$dir" && pwd)
printf 'testuser:{PLAIN}testpass\n' > "$dir/users"

if [ "$(id -u)" = 0 ]; then
  # Dovecot drops root: its helpers run as its own users, the mail as nobody.
  chmod 755 "$dir"
  chown -R nobody:nogroup "$dir/mail"
  users="default_login_user = dovenull
default_internal_user = dovecot
default_internal_group = dovecot
mail_uid = nobody
mail_gid = nogroup
first_valid_uid = 1"
else
  me=$(id -un) group=$(id -gn)
  users="default_login_user = $me
default_internal_user = $me
default_internal_group = $group
mail_uid = $me
mail_gid = $group
first_valid_uid = $(id -u)"
fi

cat > "$dir/dovecot.conf" <<EOF
protocols = imap
listen = 127.0.0.1
base_dir = $dir/run
state_dir = $dir/run
log_path = $dir/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
$users
mail_location = maildir:$dir/mail/%u
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/users
}
userdb {
  driver = static
  args = home=$dir/mail/%u
}
service anvil {
  chroot =
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = $port
  }
  inet_listener imaps {
    port = 0
  }
}
EOF
exec "$(command -v dovecot || echo /usr/sbin/dovecot)" -F -c "$dir/dovecot.conf"
