/*
 * Definitions that constants/generate.ts includes after the system headers,
 * for constants whose header is not part of a plain C toolchain install.
 *
 * Each group says where its values come from in a "from SOURCE:" comment
 * (a Linux kernel header, or CPython where CPython supplies a value no kernel
 * header has): the generator reads those comments and names that source in
 * the generated table. Values were checked against BlueZ's <bluetooth/*.h>
 * (libbluetooth-dev 5.66) and CPython 3.11's Modules/socketmodule.c.
 *
 * Every definition is guarded, so a header that does define the name wins.
 * Each block is for one OS (#ifdef __linux__, #ifdef __APPLE__).
 */
#ifdef __linux__

/* from <net/bluetooth/bluetooth.h>: Bluetooth protocols for socket(AF_BLUETOOTH, ...) */
#ifndef BTPROTO_L2CAP
#define BTPROTO_L2CAP 0
#define BTPROTO_HCI 1
#define BTPROTO_SCO 2
#define BTPROTO_RFCOMM 3
#define BTPROTO_BNEP 4
#define BTPROTO_CMTP 5
#define BTPROTO_HIDP 6
#define BTPROTO_AVDTP 7
#define BTPROTO_ISO 8
#endif

/* from <net/bluetooth/bluetooth.h>: Bluetooth socket option levels */
#ifndef SOL_HCI
#define SOL_HCI 0
#define SOL_L2CAP 6
#define SOL_SCO 17
#define SOL_RFCOMM 18
#endif

/* from <net/bluetooth/bluetooth.h>: options at level SOL_BLUETOOTH and their values */
#ifndef BT_SECURITY
#define BT_SECURITY 4
#define BT_SECURITY_SDP 0
#define BT_SECURITY_LOW 1
#define BT_SECURITY_MEDIUM 2
#define BT_SECURITY_HIGH 3
#define BT_SECURITY_FIPS 4
#define BT_DEFER_SETUP 7
#define BT_FLUSHABLE 8
#define BT_FLUSHABLE_OFF 0
#define BT_FLUSHABLE_ON 1
#define BT_POWER 9
#define BT_POWER_FORCE_ACTIVE_OFF 0
#define BT_POWER_FORCE_ACTIVE_ON 1
#define BT_CHANNEL_POLICY 10
#define BT_CHANNEL_POLICY_BREDR_ONLY 0
#define BT_CHANNEL_POLICY_BREDR_PREFERRED 1
#define BT_CHANNEL_POLICY_AMP_PREFERRED 2
#define BT_VOICE 11
#define BT_SNDMTU 12
#define BT_RCVMTU 13
#endif

/* from <net/bluetooth/bluetooth.h>: address types (bdaddr_type in sockaddr_l2) */
#ifndef BDADDR_BREDR
#define BDADDR_BREDR 0x00
#define BDADDR_LE_PUBLIC 0x01
#define BDADDR_LE_RANDOM 0x02
#endif

/* from <net/bluetooth/hci_sock.h>: HCI socket options (level SOL_HCI), devices, channels */
#ifndef HCI_FILTER
#define HCI_DATA_DIR 1
#define HCI_FILTER 2
#define HCI_TIME_STAMP 3
#define HCI_DEV_NONE 0xffff
#define HCI_CHANNEL_RAW 0
#define HCI_CHANNEL_USER 1
#define HCI_CHANNEL_MONITOR 2
#define HCI_CHANNEL_CONTROL 3
#define HCI_CHANNEL_LOGGING 4
#endif

/* from <net/bluetooth/l2cap.h>: L2CAP socket options (level SOL_L2CAP) */
#ifndef L2CAP_OPTIONS
#define L2CAP_OPTIONS 0x01
#define L2CAP_CONNINFO 0x02
#define L2CAP_LM 0x03
#define L2CAP_LM_MASTER 0x0001
#define L2CAP_LM_AUTH 0x0002
#define L2CAP_LM_ENCRYPT 0x0004
#define L2CAP_LM_TRUSTED 0x0008
#define L2CAP_LM_RELIABLE 0x0010
#define L2CAP_LM_SECURE 0x0020
#endif

/* from <net/bluetooth/rfcomm.h>: RFCOMM socket options (level SOL_RFCOMM) */
#ifndef RFCOMM_LM
#define RFCOMM_CONNINFO 0x02
#define RFCOMM_LM 0x03
#define RFCOMM_LM_MASTER 0x0001
#define RFCOMM_LM_AUTH 0x0002
#define RFCOMM_LM_ENCRYPT 0x0004
#define RFCOMM_LM_TRUSTED 0x0008
#define RFCOMM_LM_RELIABLE 0x0010
#define RFCOMM_LM_SECURE 0x0020
#endif

/* from <net/bluetooth/sco.h>: SCO socket options (level SOL_SCO) */
#ifndef SCO_OPTIONS
#define SCO_OPTIONS 0x01
#define SCO_CONNINFO 0x02
#endif

/* from <net/udplite.h>: UDP-Lite options (level IPPROTO_UDPLITE); CPython uses the same fallback */
#ifndef UDPLITE_SEND_CSCOV
#define UDPLITE_SEND_CSCOV 10
#define UDPLITE_RECV_CSCOV 11
#endif

/*
 * from CPython's Modules/socketmodule.c: AF_ALG asymmetric-cipher names that
 * were proposed for <linux/if_alg.h> but are in no kernel release; CPython
 * defines them with these values when the header lacks them. Beware: the
 * kernel gives 6 to ALG_SET_DRBG_ENTROPY, so ALG_SET_PUBKEY means that there.
 */
#ifndef ALG_SET_PUBKEY
#define ALG_SET_PUBKEY 6
#endif
#ifndef ALG_OP_SIGN
#define ALG_OP_SIGN 2
#define ALG_OP_VERIFY 3
#endif

#endif /* __linux__ */

#ifdef __APPLE__

/*
 * from macOS's <sys/sys_domain.h>: AF_SYSTEM protocols and subsystem, which
 * CPython exports on macOS; the header is missing from the header set used.
 */
#ifndef SYSPROTO_CONTROL
#define SYSPROTO_EVENT 1
#define SYSPROTO_CONTROL 2
#define AF_SYS_CONTROL 2
#endif

#endif /* __APPLE__ */
