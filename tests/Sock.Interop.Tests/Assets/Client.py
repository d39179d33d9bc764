# The article's Client.py (seed 000_40496f87e64075d9.txt, section 5), indentation restored as
# the text describes; the only change is the port, taken from argv[1] (default 4323 as in the article).
import socket
import sys
port = int(sys.argv[1]) if len(sys.argv) > 1 else 4323
c=socket.socket() # 创建socket对象
c.connect(('127.0.0.1',port)) #建立连接
while True:
    ab=input('客户端发出:')
    if ab=='quit':
        c.close() #关闭客户端连接
        sys.exit(0)
    else:
        c.send(ab.encode('utf-8')) #发送数据
        data=c.recv(1024) #接收一个1024字节的数据
        print('收到:',data.decode('utf-8'))
