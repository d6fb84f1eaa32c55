# shellcheck shell=bash
# Sourced by the scripts: mosquitto lives in /usr/sbin, which is not on every PATH; swift in /opt/swift on the CI image.
for dir in /usr/sbin /sbin /opt/swift/usr/bin; do
    case ":$PATH:" in
        *":$dir:"*) ;;
        *) [[ -d "$dir" ]] && PATH="$PATH:$dir" ;;
    esac
done
export PATH
