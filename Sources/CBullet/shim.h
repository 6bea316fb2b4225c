// Bullet's umbrella header, for the C++ shim (BulletShim). Swift never imports this module: it
// talks to Bullet only through BulletShim's C API.
#include <btBulletDynamicsCommon.h>
